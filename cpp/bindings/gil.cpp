#include "gil.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <initializer_list>
#include <thread>

#include "s3conn/client.hpp"
#include "s3conn/interrupt.hpp"

namespace nb = nanobind;

namespace s3conn::python {
namespace {

using IntQuery = int (*)();

#ifdef Py_LIMITED_API
// The stable ABI of 3.12 lacks a few queries that every CPython exports.
IntQuery exported_query(std::initializer_list<const char*> names) {
    for (const char* name : names) {
        if (void* function = dlsym(RTLD_DEFAULT, name)) return reinterpret_cast<IntQuery>(function);
    }
    return nullptr;
}
#endif

IntQuery find_is_finalizing() {
#if !defined(Py_LIMITED_API) && PY_VERSION_HEX >= 0x030D0000
    return &Py_IsFinalizing;
#elif !defined(Py_LIMITED_API)
    return &_Py_IsFinalizing;
#else
    return exported_query({"Py_IsFinalizing", "_Py_IsFinalizing"});
#endif
}

IntQuery find_gil_check() {
#ifndef Py_LIMITED_API
    return &PyGILState_Check;
#else
    return exported_query({"PyGILState_Check"});
#endif
}

std::atomic<bool> g_exiting{false};
// The thread that runs the exit: it must keep working (the program's own
// atexit functions registered before this module may still make requests).
std::atomic<unsigned long> g_exit_thread{0};
// Threads that decided to take the GIL back and have not got it yet.
std::atomic<int> g_returning{0};

[[noreturn]] void park_forever() {
    for (;;) pause();
}

// Takes the GIL back for `state`, unless the interpreter is exiting.
void restore(PyThreadState* state) {
    g_returning.fetch_add(1);
    if ((g_exiting.load() || interpreter_finalizing()) && PyThread_get_thread_ident() != g_exit_thread.load()) {
        g_returning.fetch_sub(1);
        park_forever();
    }
    PyEval_RestoreThread(state);
    g_returning.fetch_sub(1);
}

void* release_if_held() {
    static const IntQuery holds_gil = find_gil_check();
    return holds_gil != nullptr && holds_gil() ? PyEval_SaveThread() : nullptr;
}

void reacquire(void* token) { restore(static_cast<PyThreadState*>(token)); }

// Runs at exit with the GIL held, after the program's own atexit functions.
void on_exit() {
    g_exit_thread.store(PyThread_get_thread_ident());
    g_exiting.store(true);
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + std::chrono::seconds(2);
    while (g_returning.load() > 0 && clock::now() < deadline) {
        PyThreadState* state = PyEval_SaveThread();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        PyEval_RestoreThread(state);
    }
    // The threads that stay in requests will park; stop their requests, so
    // that no CRT thread is still at work (signing with libcrypto, say) when
    // the process's exit handlers tear libraries down. The GIL stays held:
    // no Python code runs meanwhile, and the CRT does not need it.
    if (cancel_all_requests(std::chrono::seconds(2)) > 0) {
        // The threads that were in those requests park holding their objects,
        // which the process's exit frees: nanobind's leak report would be noise.
        nb::set_leak_warnings(false);
    }
}

}  // namespace

bool interpreter_finalizing() {
    static const IntQuery is_finalizing = find_is_finalizing();
    return is_finalizing != nullptr && is_finalizing() != 0;
}

bool exiting() { return g_exiting.load(); }

ReleaseGil::ReleaseGil() : state_(PyEval_SaveThread()) {}

ReleaseGil::~ReleaseGil() { restore(state_); }

void install_gil_handling(nb::module_& m) {
    set_blocking_hooks({release_if_held, reacquire});
    m.def("_on_exit", &on_exit, "Runs at interpreter exit (registered with atexit by the module).");
    // atexit runs its functions last-registered first, so registering while
    // the module is imported, before the program registers its own, makes
    // this run after them: their requests still work.
    nb::module_::import_("atexit").attr("register")(m.attr("_on_exit"));
}

}  // namespace s3conn::python
