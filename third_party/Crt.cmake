# Makes the AWS Common Runtime available as imported targets (AWS::aws-c-s3 and
# its dependencies), building it once into a cache that outlives build folders.
#
# The cache holds the downloaded sdist, the unpacked crt/ tree and one install
# prefix per (CRT version, crypto, compiler). A rebuild of the project's own
# code finds the prefix complete and neither downloads nor compiles the CRT.
#
#   S3CONN_CRT_CACHE   cache folder (CMake variable or environment variable);
#                      default: <source>/.cache/crt
#   S3CONN_USE_AWS_LC  build the bundled aws-lc instead of the system libcrypto
#
# The sources come from fetch_crt.py: from an sdist's third_party/crt-sources/
# when present, else downloaded into the cache by pip.

option(S3CONN_USE_AWS_LC "Use the CRT's bundled aws-lc instead of the system libcrypto" OFF)

if(NOT S3CONN_CRT_CACHE)
  if(DEFINED ENV{S3CONN_CRT_CACHE})
    set(S3CONN_CRT_CACHE "$ENV{S3CONN_CRT_CACHE}")
  else()
    set(S3CONN_CRT_CACHE "${PROJECT_SOURCE_DIR}/.cache/crt")
  endif()
endif()
set(S3CONN_CRT_CACHE "${S3CONN_CRT_CACHE}" CACHE PATH "Where the CRT is downloaded and built")

file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/awscrt.pin" _crt_version REGEX "^version=")
string(REPLACE "version=" "" _crt_version "${_crt_version}")

if(S3CONN_USE_AWS_LC)
  set(_crt_crypto aws-lc)
else()
  set(_crt_crypto openssl)
endif()
# Bump _crt_layout when the superbuild installs something new into the prefix.
set(_crt_layout 3)
set(_crt_key "${_crt_version}-${_crt_crypto}-${CMAKE_C_COMPILER_ID}${CMAKE_C_COMPILER_VERSION}-${_crt_layout}")
set(S3CONN_CRT_PREFIX "${S3CONN_CRT_CACHE}/install-${_crt_key}")

if(NOT EXISTS "${S3CONN_CRT_PREFIX}/.complete")
  file(MAKE_DIRECTORY "${S3CONN_CRT_CACHE}")
  # Two builds sharing a cache must not build the CRT at the same time.
  file(LOCK "${S3CONN_CRT_CACHE}/.lock" GUARD FILE TIMEOUT 1800)
  set(_crt_locked TRUE)
endif()

if(NOT EXISTS "${S3CONN_CRT_PREFIX}/.complete")
  if(Python_EXECUTABLE)
    set(_crt_python "${Python_EXECUTABLE}")
  else()
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
    set(_crt_python "${Python3_EXECUTABLE}")
  endif()
  message(STATUS "CRT ${_crt_key}: fetching sources into ${S3CONN_CRT_CACHE}")
  execute_process(
    COMMAND "${_crt_python}" "${CMAKE_CURRENT_LIST_DIR}/fetch_crt.py" "${S3CONN_CRT_CACHE}"
    OUTPUT_VARIABLE _crt_src OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "Could not fetch the CRT sources (awscrt==${_crt_version}); see the output above")
  endif()

  set(_crt_build "${S3CONN_CRT_CACHE}/build-${_crt_key}")
  file(REMOVE_RECURSE "${_crt_build}" "${S3CONN_CRT_PREFIX}")
  include(ProcessorCount)
  ProcessorCount(_jobs)
  if(_jobs EQUAL 0)
    set(_jobs 2)
  endif()
  message(STATUS "CRT ${_crt_key}: building (about a minute on two cores)")
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -S "${CMAKE_CURRENT_LIST_DIR}/crt" -B "${_crt_build}"
            -G "${CMAKE_GENERATOR}"
            -DCMAKE_BUILD_TYPE=Release
            -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
            -DCMAKE_INSTALL_PREFIX=${S3CONN_CRT_PREFIX}
            -DCMAKE_INSTALL_LIBDIR=lib
            -DCRT_SOURCE_DIR=${_crt_src}
            -DS3CONN_USE_AWS_LC=${S3CONN_USE_AWS_LC}
    OUTPUT_FILE "${S3CONN_CRT_CACHE}/configure-${_crt_key}.log"
    ERROR_FILE "${S3CONN_CRT_CACHE}/configure-${_crt_key}.log"
    RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "Configuring the CRT failed; see ${S3CONN_CRT_CACHE}/configure-${_crt_key}.log")
  endif()
  execute_process(
    COMMAND "${CMAKE_COMMAND}" --build "${_crt_build}" --target install --parallel ${_jobs}
    OUTPUT_FILE "${S3CONN_CRT_CACHE}/build-${_crt_key}.log"
    ERROR_FILE "${S3CONN_CRT_CACHE}/build-${_crt_key}.log"
    RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "Building the CRT failed; see ${S3CONN_CRT_CACHE}/build-${_crt_key}.log")
  endif()
  file(REMOVE_RECURSE "${_crt_build}")
  file(READ "${_crt_src}/aws-c-s3/VERSION" _s3_version)
  string(STRIP "${_s3_version}" _s3_version)
  file(WRITE "${S3CONN_CRT_PREFIX}/VERSION" "awscrt ${_crt_version} (aws-c-s3 ${_s3_version})")
  file(TOUCH "${S3CONN_CRT_PREFIX}/.complete")
endif()
if(_crt_locked)
  file(LOCK "${S3CONN_CRT_CACHE}/.lock" RELEASE)
endif()
file(READ "${S3CONN_CRT_PREFIX}/VERSION" S3CONN_CRT_VERSION)
message(STATUS "CRT ${_crt_key}: ${S3CONN_CRT_VERSION} in ${S3CONN_CRT_PREFIX}")

list(PREPEND CMAKE_PREFIX_PATH "${S3CONN_CRT_PREFIX}")
if(NOT S3CONN_USE_AWS_LC)
  # Tell the CRT's Findcrypto the same thing its build was told.
  set(AWS_USE_CRYPTO_SHARED_LIBS ON)
  set(S2N_USE_CRYPTO_SHARED_LIBS ON)
endif()
find_package(aws-c-s3 CONFIG REQUIRED)
