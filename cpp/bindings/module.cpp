// s3torchconnector._s3conn: the Python face of libs3conn. Argument
// conversion, GIL release and buffer export only; behaviour lives in the core.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string_view.h>

#include "client.hpp"
#include "config.hpp"
#include "copies.hpp"
#include "errors.hpp"
#include "gil.hpp"
#include "s3conn/buckets.hpp"
#include "s3conn/chunk.hpp"
#include "s3conn/client.hpp"
#include "s3conn/interrupt.hpp"
#include "streams.hpp"

namespace nb = nanobind;

NB_MODULE(_s3conn, m) {
    m.doc() = "Native S3 client of s3torchconnector (libs3conn on the AWS Common Runtime).";
    m.attr("__version__") = s3conn::version();
    m.attr("crt_version") = s3conn::crt_version();

    s3conn::python::bind_errors(m);
    s3conn::python::bind_streams(m);
    s3conn::python::bind_config(m);
    s3conn::python::bind_client(m);

    m.def("bytes_copied", &s3conn::bytes_copied,
          "Bytes libs3conn has copied out of network buffers in this process (zero-copy paths add nothing).");
    m.def("is_directory_bucket", &s3conn::is_directory_bucket, nb::arg("bucket"),
          "Whether `bucket` names an S3 Express One Zone directory bucket (name--<zone-id>--x-s3).");
    s3conn::python::bind_copies(m);
    s3conn::python::install_gil_handling(m);

    // Blocking calls poll this every ~100 ms with the GIL released: Ctrl-C
    // (or any pending signal handler that raises) cancels the request, and the
    // handler's exception reaches the caller.
    // Only the main thread runs Python's signal handlers, so only it checks;
    // other threads never take the GIL from inside a wait.
    static const unsigned long main_thread =
        nb::cast<unsigned long>(nb::module_::import_("threading").attr("main_thread")().attr("ident"));
    s3conn::set_interrupt_check([] {
        if (PyThread_get_thread_ident() != main_thread || s3conn::python::exiting() ||
            s3conn::python::interpreter_finalizing()) {
            return;
        }
        nb::gil_scoped_acquire acquire;
        if (PyErr_CheckSignals() != 0) throw nb::python_error();
    });
}
