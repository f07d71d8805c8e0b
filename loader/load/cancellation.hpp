// A load asked to stop (SIGINT or SIGTERM): the signal is recorded, every statement in flight
// is cancelled (the COPYs and a merge roll back), and the load marks its run interrupted,
// says what was committed and how to resume, and ends. Whoever catches the signal (the CLI's
// watcher thread, serve's shutdown) calls interrupt(); the load checks interrupted().
#pragma once

#include <string>

namespace load {

// Records the signal and cancels every statement in flight. Safe from any thread.
void interrupt(int signal);

// The signal that asked for the stop, or 0.
int interrupted();

// "interrupted by SIGINT": the ledger's and the messages' words for the stop.
std::string interruption();

// Throws LoadError(ErrorKind::Interrupted) once interrupt() has been called.
void throw_if_interrupted();

}  // namespace load
