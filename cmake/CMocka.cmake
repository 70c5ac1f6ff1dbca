# CMocka for MinGW: Debian packages only the Linux build, so the setup step
# (scripts/bootstrap.sh) cross-builds its source package into this build tree.
# Configure only finds it: it installs nothing and edits nothing on the machine.
set(CMOCKA_ROOT ${CMAKE_BINARY_DIR}/_deps/cmocka)
set(CMOCKA_LIB ${CMOCKA_ROOT}/install/lib/libcmocka-static.a)

if(NOT EXISTS ${CMOCKA_LIB})
    message(FATAL_ERROR "CMocka is missing from ${CMOCKA_ROOT}: run the setup step first, "
                        "bash scripts/bootstrap.sh ${CMAKE_BINARY_DIR}")
endif()

add_library(cmocka STATIC IMPORTED)
set_target_properties(cmocka PROPERTIES
    IMPORTED_LOCATION ${CMOCKA_LIB}
    INTERFACE_INCLUDE_DIRECTORIES ${CMOCKA_ROOT}/install/include
    INTERFACE_COMPILE_DEFINITIONS CMOCKA_STATIC)
