# CMocka for MinGW: Debian packages only the Linux build, so its source package is
# cross-built here once per build tree (configure time) and imported as a static
# library.  Never vendored.
set(CMOCKA_ROOT ${CMAKE_BINARY_DIR}/_deps/cmocka)
set(CMOCKA_LIB ${CMOCKA_ROOT}/install/lib/libcmocka-static.a)

if(NOT EXISTS ${CMOCKA_LIB})
    message(STATUS "Fetching and cross-building CMocka")
    execute_process(COMMAND bash ${PROJECT_SOURCE_DIR}/cmake/fetch-cmocka.sh ${CMOCKA_ROOT}/src
                    RESULT_VARIABLE rc)
    if(rc)
        message(FATAL_ERROR "could not fetch CMocka's source package")
    endif()
    execute_process(
        COMMAND ${CMAKE_COMMAND} -S ${CMOCKA_ROOT}/src -B ${CMOCKA_ROOT}/build -G Ninja
                -DCMAKE_TOOLCHAIN_FILE=${CMAKE_TOOLCHAIN_FILE}
                -DCMAKE_BUILD_TYPE=Release
                -DCMAKE_INSTALL_PREFIX=${CMOCKA_ROOT}/install
                -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF
        OUTPUT_QUIET RESULT_VARIABLE rc)
    if(NOT rc)
        execute_process(COMMAND ${CMAKE_COMMAND} --build ${CMOCKA_ROOT}/build --target install
                        OUTPUT_QUIET RESULT_VARIABLE rc)
    endif()
    if(rc OR NOT EXISTS ${CMOCKA_LIB})
        message(FATAL_ERROR "could not cross-build CMocka")
    endif()
endif()

add_library(cmocka STATIC IMPORTED)
set_target_properties(cmocka PROPERTIES
    IMPORTED_LOCATION ${CMOCKA_LIB}
    INTERFACE_INCLUDE_DIRECTORIES ${CMOCKA_ROOT}/install/include
    INTERFACE_COMPILE_DEFINITIONS CMOCKA_STATIC)
