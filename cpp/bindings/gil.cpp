#include "gil.hpp"

#include <dlfcn.h>

namespace s3conn::python {
namespace {

using IsFinalizing = int (*)();

IsFinalizing find_is_finalizing() {
#if !defined(Py_LIMITED_API) && PY_VERSION_HEX >= 0x030D0000
    return &Py_IsFinalizing;
#elif !defined(Py_LIMITED_API)
    return &_Py_IsFinalizing;
#else
    // The stable ABI of 3.12 has no such function, but every CPython exports
    // one of these two names.
    for (const char* name : {"Py_IsFinalizing", "_Py_IsFinalizing"}) {
        if (void* function = dlsym(RTLD_DEFAULT, name)) return reinterpret_cast<IsFinalizing>(function);
    }
    return nullptr;
#endif
}

}  // namespace

bool interpreter_finalizing() {
    static const IsFinalizing is_finalizing = find_is_finalizing();
    return is_finalizing != nullptr && is_finalizing() != 0;
}

}  // namespace s3conn::python
