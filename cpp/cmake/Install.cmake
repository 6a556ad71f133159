# Installs libs3conn for C++ programs: headers, the shared library and a CMake
# package, so that `find_package(s3conn)` gives the target s3conn::s3conn.
# Everything is in the "cpp" component; the Python wheel installs only its
# own component.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS s3conn EXPORT s3connTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT cpp
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT cpp
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cpp)
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/s3conn
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT cpp)
install(EXPORT s3connTargets NAMESPACE s3conn::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/s3conn COMPONENT cpp)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/s3conn-config.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/s3conn-config.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/s3conn)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/s3conn-config-version.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/s3conn-config.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/s3conn-config-version.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/s3conn COMPONENT cpp)
