// The parse floor of the reader benchmark: expat with empty handlers over the uncompressed XML
// of the given files (read from disk, so inflation is not counted), one thread per file.
//   expat_floor FILE.xml [FILE.xml ...]
#include <expat.h>

#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

static void parse_file(const char* path, bool* ok) {
    XML_Parser p = XML_ParserCreate(nullptr);
    XML_SetElementHandler(
        p, [](void*, const XML_Char*, const XML_Char**) {}, [](void*, const XML_Char*) {});
    XML_SetCharacterDataHandler(p, [](void*, const XML_Char*, int) {});
    std::ifstream in(path, std::ios::binary);
    *ok = true;
    for (;;) {
        void* buf = XML_GetBuffer(p, 1 << 20);
        in.read(static_cast<char*>(buf), 1 << 20);
        auto n = in.gcount();
        if (XML_ParseBuffer(p, static_cast<int>(n), n == 0) != XML_STATUS_OK) {
            *ok = false;
            break;
        }
        if (n == 0) break;
    }
    XML_ParserFree(p);
}

int main(int argc, char** argv) {
    std::vector<std::thread> threads;
    std::vector<char> ok(static_cast<size_t>(argc), 0);
    for (int i = 1; i < argc; ++i)
        threads.emplace_back(parse_file, argv[i],
                             reinterpret_cast<bool*>(&ok[static_cast<size_t>(i)]));
    for (auto& t : threads)
        t.join();
    for (int i = 1; i < argc; ++i)
        if (!ok[static_cast<size_t>(i)]) {
            std::fprintf(stderr, "expat_floor: %s is not well-formed\n", argv[i]);
            return 1;
        }
    return 0;
}
