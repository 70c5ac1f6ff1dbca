# libcurl for MinGW, a static library: the setup step (scripts/bootstrap.sh)
# cross-builds Debian's curl source package into this build tree with only
# HTTP, HTTPS through Schannel and SSPI.  Configure only finds it: it installs
# nothing and edits nothing on the machine.
set(CURL_ROOT ${CMAKE_BINARY_DIR}/_deps/curl)
set(CURL_LIB ${CURL_ROOT}/install/lib/libcurl.a)

if(NOT EXISTS ${CURL_LIB})
    message(FATAL_ERROR "libcurl is missing from ${CURL_ROOT}: run the setup step first, "
                        "bash scripts/bootstrap.sh ${CMAKE_BINARY_DIR}")
endif()

add_library(curl STATIC IMPORTED)
set_target_properties(curl PROPERTIES
    IMPORTED_LOCATION ${CURL_LIB}
    INTERFACE_INCLUDE_DIRECTORIES ${CURL_ROOT}/install/include
    INTERFACE_COMPILE_DEFINITIONS CURL_STATICLIB
    # what the static library calls: Winsock, the certificate store, Schannel
    # and SSPI, and BCrypt's random numbers
    INTERFACE_LINK_LIBRARIES "ws2_32;crypt32;secur32;bcrypt")
