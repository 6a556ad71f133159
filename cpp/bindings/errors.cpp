#include "errors.hpp"

#include <stdexcept>

#include "s3conn/error.hpp"

namespace nb = nanobind;

namespace s3conn::python {
namespace {

// Strong references kept for the life of the process: the translator may
// run at any time, and exception types are never collected.
PyObject* g_s3_exception = nullptr;
PyObject* g_not_found = nullptr;
PyObject* g_access_denied = nullptr;

PyObject* new_exception(nb::module_& m, const char* name, const char* doc, PyObject* bases) {
    const std::string qualified = std::string("s3torchconnector._s3conn.") + name;
    PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
    if (type == nullptr) throw nb::python_error();
    m.attr(name) = nb::borrow(type);
    return type;
}

void set_attribute(PyObject* error, const char* name, nb::object value) {
    if (PyObject_SetAttrString(error, name, value.ptr()) != 0) PyErr_Clear();
}

nb::object optional_string(const std::string& value) {
    return value.empty() ? nb::none() : nb::object(nb::str(value.c_str(), value.size()));
}

void raise(const S3Error& error) {
    const ErrorDetails& d = error.details();
    PyObject* type = g_s3_exception;
    if (error.is_not_found()) {
        type = g_not_found;
    } else if (error.is_access_denied()) {
        type = g_access_denied;
    }
    nb::object instance = nb::steal(PyObject_CallFunction(type, "s", error.what()));
    if (!instance.is_valid()) return;  // the call set a Python error
    PyObject* e = instance.ptr();
    set_attribute(e, "code", optional_string(d.code));
    set_attribute(e, "message", nb::str(d.message.c_str(), d.message.size()));
    set_attribute(e, "http_status", d.http_status != 0 ? nb::object(nb::int_(d.http_status)) : nb::none());
    set_attribute(e, "request_id", optional_string(d.request_id));
    set_attribute(e, "operation", optional_string(d.operation));
    set_attribute(e, "bucket", optional_string(d.bucket));
    set_attribute(e, "key", optional_string(d.key));
    set_attribute(e, "crt_error", optional_string(d.crt_error));
    PyErr_SetObject(type, e);
}

}  // namespace

void bind_errors(nb::module_& m) {
    g_s3_exception = new_exception(m, "S3Exception",
                                   "An S3 request failed.\n\n"
                                   "Attributes: code (S3's error code, e.g. 'NoSuchKey'), message, http_status\n"
                                   "(None when no HTTP response arrived), request_id, operation, bucket, key,\n"
                                   "crt_error (the AWS CRT error name for failures below HTTP).",
                                   PyExc_Exception);
    {
        nb::object bases = nb::make_tuple(nb::borrow(g_s3_exception), nb::borrow(PyExc_FileNotFoundError));
        g_not_found = new_exception(m, "S3NotFoundError",
                                    "The bucket or object does not exist (also a FileNotFoundError).", bases.ptr());
    }
    {
        nb::object bases = nb::make_tuple(nb::borrow(g_s3_exception), nb::borrow(PyExc_PermissionError));
        g_access_denied =
            new_exception(m, "S3AccessDeniedError",
                          "S3 refused the request's credentials or permissions (also a PermissionError).", bases.ptr());
    }

    nb::register_exception_translator([](const std::exception_ptr& p, void*) {
        try {
            std::rethrow_exception(p);
        } catch (const S3Error& error) {
            raise(error);
        } catch (const std::logic_error& error) {
            // Misuse of a stream (write after close, ...): what Python's io
            // module raises for the same mistakes.
            PyErr_SetString(PyExc_ValueError, error.what());
        }
    });
}

}  // namespace s3conn::python
