// Releasing the GIL around blocking calls, safely at interpreter exit.
#pragma once

#include <nanobind/nanobind.h>
#include <unistd.h>

namespace s3conn::python {

// Whether the interpreter is shutting down. Py_IsFinalizing is public only
// from 3.13 on (and in the stable ABI from 3.13), so an abi3 module built for
// 3.12 looks the function up in the running interpreter.
bool interpreter_finalizing();

// Like nanobind's gil_scoped_release, but a thread that comes back while the
// interpreter is finalizing parks instead of taking the GIL: before Python
// 3.14, CPython would end it with pthread_exit, unwinding through C++
// destructors that must not throw, and abort the process. The process is
// exiting anyway.
class ReleaseGil {
public:
    ReleaseGil() : state_(PyEval_SaveThread()) {}
    ~ReleaseGil() {
        if (interpreter_finalizing()) {
            for (;;) pause();
        }
        PyEval_RestoreThread(state_);
    }
    ReleaseGil(const ReleaseGil&) = delete;
    ReleaseGil& operator=(const ReleaseGil&) = delete;

private:
    PyThreadState* state_;
};

}  // namespace s3conn::python
