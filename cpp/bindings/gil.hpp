// The GIL around blocking calls, and a clean interpreter exit with native
// calls still in flight on other threads.
//
// At exit (before 3.14) CPython ends any thread that asks for the GIL after
// finalization began with pthread_exit; its forced unwinding through C++
// frames aborts the process ("terminate called without an active
// exception"). So no thread of ours asks for the GIL once exit begins: an
// atexit hook (registered first, run last) raises a flag, lets the threads
// already on their way back take the GIL and return, and every thread that
// comes back later parks for good. The process is exiting anyway. The
// exiting thread itself never parks. (An atexit function registered before
// this module was imported runs after the hook; if it waits for a daemon
// thread that is inside a request, it waits forever.)
#pragma once

#include <nanobind/nanobind.h>

namespace s3conn::python {

// Whether the interpreter is shutting down. Py_IsFinalizing is public only
// from 3.13 on (and in the stable ABI from 3.13), so an abi3 module built for
// 3.12 looks the function up in the running interpreter.
bool interpreter_finalizing();

// Whether the atexit hook below has run.
bool exiting();

// Like nanobind's gil_scoped_release, but coming back follows the exit
// protocol above.
class ReleaseGil {
public:
    ReleaseGil();
    ~ReleaseGil();
    ReleaseGil(const ReleaseGil&) = delete;
    ReleaseGil& operator=(const ReleaseGil&) = delete;

private:
    PyThreadState* state_;
};

// Installs the atexit hook and libs3conn's blocking hooks, which release the
// GIL whenever a call made with it held has to wait (a short write that finds
// the upload buffers full).
void install_gil_handling(nanobind::module_& m);

}  // namespace s3conn::python
