// xlsx2pg serve: the loader behind HTTP. POST /upload streams a workbook (multipart field
// "file") into a temporary file that is always removed, loads it with the same code as
// `xlsx2pg load`, and answers with the same JSON as `load --json`; GET /runs/ID answers a run's
// statistics from the database; GET /export answers a table or a named query as .xlsx
// (serve_export.hpp); GET /health checks the database. Safe by default: loopback
// only, an optional bearer token, a bound on the upload size and on concurrent imports.
#include <fcntl.h>
#include <fmt/format.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "commands.hpp"
#include "connection_options.hpp"
#include "load/cancellation.hpp"
#include "load/errors.hpp"
#include "load/run_ledger.hpp"
#include "pg/connection.hpp"
#include "pg/identifiers.hpp"
#include "serve_export.hpp"
#include "serve_queries.hpp"
#include "summary.hpp"
#include "upload_request.hpp"
#include "upload_watchdog.hpp"
#include "web_assets.hpp"
#include "xlsx/workbook.hpp"

namespace cli {

namespace {

using nlohmann::json;

struct ServeArgs {
    pg::ConnectOptions connect;
    std::string listen = "127.0.0.1:8080";
    std::string token_file;
    uint64_t max_upload_bytes = 256ull << 20;
    unsigned max_concurrent = 2;       // imports at once
    unsigned max_uploads = 16;         // request bodies arriving at once
    double upload_timeout = 300;       // seconds for a whole body
    uint64_t min_upload_rate = 32768;  // bytes per second, after the first few seconds
    std::vector<std::string> allowed_schemas{"public"};
    std::string temp_dir = "/tmp";
    std::string export_queries_file;
    unsigned connections = 2;
    unsigned threads = 2;
};

void reply(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(2) + "\n", "application/json");
}

void reply_error(httplib::Response& res, int status, const std::string& message,
                 const std::string& kind = "") {
    json body = {{"error", message}};
    if (!kind.empty()) body["error_kind"] = kind;
    reply(res, status, body);
}

// Bad input is the client's fault (4xx); the database's or our own faults are 5xx.
int status_of_failure(const LoadReport& report) {
    return load::info_of(report.error_kind).http_status;
}

// A counter held for as long as the object lives; `count` includes it.
struct Slot {
    explicit Slot(std::atomic<unsigned>& counter)
        : counter(counter), count(counter.fetch_add(1) + 1) {}
    ~Slot() { counter.fetch_sub(1); }
    std::atomic<unsigned>& counter;
    unsigned count;
};

class Service {
public:
    explicit Service(const ServeArgs& args)
        : args_(args), watchdog_(args.upload_timeout, args.min_upload_rate) {
        if (!args.token_file.empty()) {
            std::ifstream in(args.token_file);
            if (!in) throw std::runtime_error("cannot read the token file " + args.token_file);
            std::getline(in, token_);
            while (!token_.empty() && std::isspace(static_cast<unsigned char>(token_.back())))
                token_.pop_back();
            if (token_.empty())
                throw std::runtime_error("the token file " + args.token_file + " is empty");
        }
        export_context_ = {args.connect, args.allowed_schemas, {}, args.temp_dir};
        if (!args.export_queries_file.empty())
            export_context_.queries = read_export_queries(args.export_queries_file);
    }

    void routes(httplib::Server& server) {
        server.set_payload_max_length(args_.max_upload_bytes);
        server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            bool page =
                req.method == "GET" && (req.path == "/" || req.path == "/app.js" ||
                                        req.path == "/app.css" || req.path == "/favicon.ico");
            if (page || authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
            res.set_header("WWW-Authenticate", "Bearer");
            reply_error(res, 401, "a bearer token is required: Authorization: Bearer <token>");
            return httplib::Server::HandlerResponse::Handled;
        });
        server.Post("/upload",
                    [this](const httplib::Request& req, httplib::Response& res,
                           const httplib::ContentReader& content) { upload(req, res, content); });
        server.Post("/inspect",
                    [this](const httplib::Request& req, httplib::Response& res,
                           const httplib::ContentReader& content) { inspect(req, res, content); });
        server.Get(R"(/runs/(\d+))",
                   [this](const httplib::Request& req, httplib::Response& res) { run(req, res); });
        server.Get(
            R"(/runs/(\d+)/rejects\.csv)",
            [this](const httplib::Request& req, httplib::Response& res) { rejects_csv(req, res); });
        server.Get(R"(/runs/(\d+)/rejects\.xlsx)",
                   [this](const httplib::Request& req, httplib::Response& res) {
                       Slot slot(active_);
                       if (!too_busy(slot, res))
                           serve_rejects_xlsx(export_context_, req.matches[1].str(), res);
                   });
        server.Get("/export", [this](const httplib::Request& req, httplib::Response& res) {
            Slot slot(active_);
            if (!too_busy(slot, res)) serve_export(export_context_, req, res);
        });
        server.Get(R"(/uploads/([0-9a-fA-F-]+))",
                   [this](const httplib::Request& req, httplib::Response& res) {
                       upload_progress(req, res);
                   });
        server.Get("/tables",
                   [this](const httplib::Request&, httplib::Response& res) { tables(res); });
        // The page: its three files, compiled in, open to all (they hold no data).
        server.Get("/", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(web::kIndexHtml, "text/html; charset=utf-8");
        });
        server.Get("/app.js", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(web::kAppJs, "text/javascript; charset=utf-8");
        });
        server.Get("/favicon.ico",
                   [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
        server.Get("/app.css", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(web::kAppCss, "text/css; charset=utf-8");
        });
        // Every answer: nothing but this origin's own script and style, no framing, no sniffing.
        server.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
            res.set_header("Content-Security-Policy",
                           "default-src 'none'; script-src 'self'; style-src 'self'; "
                           "connect-src 'self'; img-src 'self'; form-action 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'");
            res.set_header("X-Content-Type-Options", "nosniff");
            res.set_header("Referrer-Policy", "no-referrer");
            res.set_header("Cache-Control", "no-store");
        });
        server.Get("/health",
                   [this](const httplib::Request&, httplib::Response& res) { health(res); });
        server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
            if (res.status == 413)
                reply_error(res, 413, "the upload is larger than the server's --max-upload-size");
            else if (res.body.empty())
                reply_error(res, res.status,
                            res.status == 404
                                ? "no such endpoint: GET /, POST /upload, POST /inspect, "
                                  "GET /uploads/ID, GET /runs/ID, GET /runs/ID/rejects.csv, "
                                  "GET /runs/ID/rejects.xlsx, GET /export, GET /tables, "
                                  "GET /health"
                                : "request refused");
        });
    }

private:
    // Imports and exports share --max-concurrent; past it, 429.
    bool too_busy(const Slot& slot, httplib::Response& res) const {
        if (slot.count <= args_.max_concurrent) return false;
        res.set_header("Retry-After", "5");
        reply_error(res, 429, "too many imports and exports at once; try again shortly");
        return true;
    }

    // Compares in constant time, so that the token does not leak through timing.
    bool authorized(const httplib::Request& req) const {
        if (token_.empty()) return true;
        std::string expected = "Bearer " + token_;
        std::string given = req.get_header_value("Authorization");
        unsigned char diff = given.size() == expected.size() ? 0 : 1;
        for (size_t i = 0; i < expected.size(); ++i)
            diff |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
        return diff == 0;
    }

    // A workbook received from a multipart form's "file" field into a temporary file, under
    // the upload bounds (an upload slot, the watchdog's deadline and rate, the size limit).
    // Null after answering the client when the upload is refused.
    struct Received {
        std::unique_ptr<TempUpload> file;
        std::string filename;
    };
    std::optional<Received> receive(const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& content) {
        if (!req.is_multipart_form_data()) {
            reply_error(res, 400, "send the workbook as multipart/form-data, field \"file\"");
            return std::nullopt;
        }
        // Uploads and imports are counted apart: a slow client holds an upload slot, never an
        // import slot, and is dropped when it falls below the minimum rate or past the deadline.
        Slot upload_slot(uploading_);
        if (upload_slot.count > args_.max_uploads) {
            res.set_header("Retry-After", "5");
            reply_error(res, 429, "too many uploads at once; try again shortly");
            return std::nullopt;
        }
        Received got;
        std::string field;
        bool failed_write = false;
        bool complete = false;
        auto watched = watchdog_.watch(req.remote_addr, req.remote_port);
        struct Unwatch {
            UploadWatchdog& watchdog;
            std::shared_ptr<UploadWatchdog::Upload>& upload;
            ~Unwatch() { watchdog.done(upload); }
        } unwatch{watchdog_, watched};
        try {
            complete = content(
                [&](const httplib::MultipartFormData& part) {
                    field = part.name;
                    if (part.name == "file") {
                        got.filename = part.filename;
                        if (!got.file) got.file = std::make_unique<TempUpload>(args_.temp_dir);
                    }
                    return true;
                },
                [&](const char* data, size_t size) {
                    watched->bytes += size;
                    if (field != "file" || !got.file) return true;  // other fields are ignored
                    if (!got.file->write(data, size)) failed_write = true;
                    return !failed_write;
                });
        } catch (const std::exception& e) {
            reply_error(res, 500, e.what());
            return std::nullopt;
        }
        if (watched->dropped) {
            res.set_header("Connection", "close");
            reply_error(res, 408, watched->why);
        } else if (failed_write) {
            reply_error(res, 507, "cannot store the upload (is the temporary directory full?)");
        } else if (!complete && res.status == 413) {
            reply_error(res, 413, "the upload is larger than the server's --max-upload-size");
        } else if (!complete) {
            reply_error(res, 400, "the upload was cut short or is not valid multipart/form-data");
        } else if (!got.file) {
            reply_error(res, 400, "no \"file\" field in the form");
        } else if (!is_workbook_name(got.filename)) {
            reply_error(res, 415,
                        "the file \"" + label_of(got.filename) +
                            "\" is not a workbook (.xlsx, .xlsm or .xls)");
        } else {
            return got;
        }
        return std::nullopt;
    }

    // A password-protected workbook's password comes in a header of its own, never in the
    // query string (which proxies and access logs keep); it is never logged.
    static std::optional<std::string> password_of(const httplib::Request& req) {
        if (!req.has_header("X-Workbook-Password")) return std::nullopt;
        return req.get_header_value("X-Workbook-Password");
    }

    void upload(const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader& content) {
        load::LoadOptions o = base_options();
        o.reader.password = password_of(req);
        if (std::string problem = options_from_query(req.params, o); !problem.empty())
            return reply_error(res, 400, problem);
        // The page follows a load by the id it chose (GET /uploads/ID).
        std::string upload_id = req.get_param_value("upload_id");
        if (!upload_id.empty() &&
            (upload_id.size() > 64 ||
             upload_id.find_first_not_of("0123456789abcdefABCDEF-") != std::string::npos))
            return reply_error(res, 400, "upload_id takes up to 64 hexadecimal digits and dashes");
        auto progress = std::make_shared<load::Progress>();
        Tracked tracked(*this, upload_id, progress);
        std::optional<Received> got = receive(req, res, content);
        if (!got) return;
        Slot import_slot(active_);
        if (too_busy(import_slot, res)) return;
        o.file = got->file->path();
        o.file_label = label_of(got->filename);
        progress->started = true;
        LoadReport report = run_load(o, false, progress.get());
        json body = summary_json(report);
        reply(res, report.error.empty() ? 200 : status_of_failure(report), body);
    }

    // POST /inspect: the sheets of an uploaded workbook, as xlsx2pg sheets --json lists them.
    void inspect(const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& content) {
        std::optional<Received> got = receive(req, res, content);
        if (!got) return;
        try {
            xlsx::ReaderOptions options;
            options.threads = args_.threads;
            options.password = password_of(req);
            xlsx::Workbook workbook(got->file->path(), options);
            json body = sheets_json(workbook);
            body["file"] = label_of(got->filename);
            reply(res, 200, body);
        } catch (const xlsx::Error& e) {
            // The message names the temporary file; the client knows its file by its own name.
            std::string message = e.what();
            if (size_t at = message.find(got->file->path()); at != std::string::npos)
                message.replace(at, got->file->path().size(), label_of(got->filename));
            const load::ErrorKindInfo& kind = load::info_of(load::kind_of(e));
            reply_error(res, kind.http_status, message, kind.name);
        }
    }

    // GET /uploads/ID: how far the load of an upload is, from its live counters.
    void upload_progress(const httplib::Request& req, httplib::Response& res) {
        std::shared_ptr<load::Progress> p;
        {
            std::lock_guard lock(tracked_mutex_);
            auto it = tracked_.find(req.matches[1].str());
            if (it != tracked_.end()) p = it->second;
        }
        if (!p) return reply_error(res, 404, "no upload with this id is in progress");
        reply(res, 200,
              {{"state", !p->started  ? "receiving"
                         : p->merging ? "merging"
                                      : "loading"},
               {"run_id", p->run_id.load()},
               {"rows", p->rows.load()},
               {"expected_rows", p->expected_rows.load()},
               {"merging", p->merging.load()},
               {"waiting", p->waiting()}});
    }

    // GET /tables: the tables uploads may go into that the service's role can insert into.
    void tables(httplib::Response& res) {
        try {
            pg::Connection conn(args_.connect);
            reply(res, 200, json::parse(insertable_tables_json(conn, args_.allowed_schemas)));
        } catch (const pg::PgError& e) {
            reply_error(res, 503, e.primary());
        }
    }

    // GET /runs/ID/rejects.csv: every rejected row of a run.
    void rejects_csv(const httplib::Request& req, httplib::Response& res) {
        try {
            pg::Connection conn(args_.connect);
            std::string body = rejects_csv_of_run(conn, req.matches[1].str());
            res.set_header("Content-Disposition",
                           "attachment; filename=\"run-" + req.matches[1].str() + "-rejects.csv\"");
            res.set_content(body, "text/csv; charset=utf-8");
        } catch (const pg::PgError& e) {
            reply_error(res, e.sqlstate() == "22003" ? 404 : 503, e.primary());
        }
    }

    // Registers an upload's live counters under the client's id while it lasts.
    struct Tracked {
        Tracked(Service& service, std::string id, std::shared_ptr<load::Progress> progress)
            : service(service), id(std::move(id)) {
            if (this->id.empty()) return;
            std::lock_guard lock(service.tracked_mutex_);
            service.tracked_[this->id] = std::move(progress);
        }
        ~Tracked() {
            if (id.empty()) return;
            std::lock_guard lock(service.tracked_mutex_);
            service.tracked_.erase(id);
        }
        Service& service;
        std::string id;
    };

    void run(const httplib::Request& req, httplib::Response& res) {
        try {
            pg::Connection conn(args_.connect);
            std::optional<std::string> stats = load::ledger::stats_json(conn, req.matches[1].str());
            if (!stats)
                return reply_error(
                    res, 404, "run " + req.matches[1].str() + " does not exist or is not yours");
            reply(res, 200, json::parse(*stats));
        } catch (const pg::PgError& e) {
            reply_error(res, e.sqlstate() == "22003" ? 404 : 503, e.primary());
        }
    }

    void health(httplib::Response& res) {
        try {
            pg::Connection conn(args_.connect);
            std::optional<std::string> version = load::ledger::extension_version(conn);
            if (!version)
                return reply(
                    res, 503,
                    {{"status", "unavailable"}, {"database", "ok"}, {"extension", nullptr}});
            reply(res, 200,
                  {{"status", "ok"},
                   {"database", "ok"},
                   {"extension", *version},
                   {"imports_running", active_.load()},
                   {"uploads_arriving", uploading_.load()}});
        } catch (const pg::PgError& e) {
            reply(res, 503, {{"status", "unavailable"}, {"database", e.primary()}});
        }
    }

    load::LoadOptions base_options() const {
        load::LoadOptions o;
        o.connect = args_.connect;
        o.connections = args_.connections;
        o.reader.threads = args_.threads;
        o.allowed_schemas = args_.allowed_schemas;
        return o;
    }

    ServeArgs args_;
    ServeExportContext export_context_;
    std::string token_;
    std::atomic<unsigned> active_{0};     // imports running
    std::atomic<unsigned> uploading_{0};  // bodies arriving
    UploadWatchdog watchdog_;
    std::mutex tracked_mutex_;
    std::map<std::string, std::shared_ptr<load::Progress>> tracked_;  // by upload_id
};

}  // namespace

Runner add_serve_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("serve", "Load workbooks uploaded over HTTP (POST /upload)");
    auto args = std::make_shared<ServeArgs>();
    add_connection_options(*cmd, args->connect);
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    args->connections = default_connections(cores);
    args->threads = cores;
    cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (loopback unless told)")
        ->capture_default_str();
    cmd->add_option("--token-file", args->token_file,
                    "require Authorization: Bearer <the file's first line>");
    cmd->add_option("--max-upload-size", args->max_upload_bytes, "largest request body in bytes")
        ->capture_default_str();
    cmd->add_option("--max-concurrent", args->max_concurrent,
                    "imports and exports at once; more get 429")
        ->capture_default_str()
        ->check(CLI::Range(1u, 64u));
    cmd->add_option("--max-uploads", args->max_uploads,
                    "request bodies arriving at once (apart from imports); more get 429")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1024u));
    cmd->add_option("--upload-timeout", args->upload_timeout,
                    "seconds a client may take to send a whole upload; then 408")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--min-upload-rate", args->min_upload_rate,
                    "bytes per second an upload must keep up after its first 5 seconds; then 408")
        ->capture_default_str();
    cmd->add_option("--allow-schema", args->allowed_schemas,
                    "a schema uploads may write into; repeatable (never xlsx or xlsx_staging)")
        ->capture_default_str();
    cmd->add_option("--export-queries", args->export_queries_file,
                    "a JSON file of queries GET /export?query_name=NAME runs: "
                    "{\"name\": \"SELECT ...\"}");
    cmd->add_option("--temp-dir", args->temp_dir,
                    "where uploads wait while they load, and exports while they are written")
        ->capture_default_str();
    cmd->add_option("-c,--connections", args->connections, "COPY connections per import")
        ->capture_default_str();
    cmd->add_option("-j,--threads", args->threads, "XML parser threads per import")
        ->capture_default_str();

    return [cmd, args]() -> int {
        if (!cmd->parsed()) return -1;
        size_t colon = args->listen.rfind(':');
        int port = colon == std::string::npos ? -1 : std::atoi(args->listen.c_str() + colon + 1);
        if (port <= 0 || port > 65535) {
            std::fprintf(stderr, "xlsx2pg: --listen takes HOST:PORT, such as 127.0.0.1:8080\n");
            return kUsage;
        }
        std::string host = args->listen.substr(0, colon);
        // SIGINT and SIGTERM stop the server; blocked before any thread starts, so that only
        // the stopper below takes them.
        sigset_t stop_signals;
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
        Service service(*args);
        httplib::Server server;
        service.routes(server);
        if (!server.bind_to_port(host, port)) {
            std::fprintf(stderr, "xlsx2pg: error: cannot listen on %s\n", args->listen.c_str());
            return kFailure;
        }
        std::thread stopper([&] {
            int signal = 0;
            sigwait(&stop_signals, &signal);
            load::interrupt(signal);  // in-flight imports roll back and mark their runs
            server.stop();
        });
        std::fprintf(stderr, "xlsx2pg: serving on http://%s\n", args->listen.c_str());
        server.listen_after_bind();
        pthread_kill(stopper.native_handle(), SIGTERM);
        stopper.join();
        return kSuccess;
    };
}

}  // namespace cli
