# widl_generate(<idl> OUTPUTS <kinds...>): runs Wine's IDL compiler once per output
# kind (header, iid, tlb, proxy, dlldata) into the build tree; DLLDATA names
# the other proxy files that dlldata lists beside this one's.  The proxy is
# interpreted (-Oif: MinGW gcc has no __try), sees OB_PROXY_STUB defined
# (bits_types.idl's discriminated union), and gets one widl 7 bug fixed
# (cmake/fix_widl_proxy.py).  DLLDATA: the other IDL files (base names) whose
# proxies the same proxy/stub DLL holds.
find_program(WIDL NAMES x86_64-w64-mingw32-widl widl REQUIRED NO_CMAKE_FIND_ROOT_PATH)
find_path(WINE_IDL_DIR unknwn.idl PATHS /usr/include/wine/wine/windows REQUIRED NO_CMAKE_FIND_ROOT_PATH)
find_path(WINE_STDOLE_DIR stdole2.tlb PATHS /usr/lib/x86_64-linux-gnu/wine/x86_64-windows
          REQUIRED NO_CMAKE_FIND_ROOT_PATH)
set(GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
file(MAKE_DIRECTORY ${GENERATED_DIR})

function(widl_generate idl)
    cmake_parse_arguments(W "" "" "OUTPUTS;DEPENDS;DLLDATA" ${ARGN})
    get_filename_component(base ${idl} NAME_WE)
    set(src ${PROJECT_SOURCE_DIR}/idl/${idl})
    set(flags --win64 -I${PROJECT_SOURCE_DIR}/idl -I${WINE_IDL_DIR} -L${WINE_STDOLE_DIR})
    foreach(kind ${W_OUTPUTS})
        if(kind STREQUAL header)
            set(out ${GENERATED_DIR}/${base}.h)
            set(opt -h)
        elseif(kind STREQUAL iid)
            set(out ${GENERATED_DIR}/${base}_i.c)
            set(opt -u)
        elseif(kind STREQUAL tlb)
            set(out ${GENERATED_DIR}/${base}.tlb)
            set(opt -t)
        elseif(kind STREQUAL proxy)
            set(out ${GENERATED_DIR}/${base}_p.c)
            add_custom_command(OUTPUT ${out}
                COMMAND ${WIDL} ${flags} -Oif -DOB_PROXY_STUB -p -o ${out} ${src}
                COMMAND python3 ${PROJECT_SOURCE_DIR}/cmake/fix_widl_proxy.py ${out}
                DEPENDS ${src} ${W_DEPENDS} ${PROJECT_SOURCE_DIR}/cmake/fix_widl_proxy.py VERBATIM)
            continue()
        elseif(kind STREQUAL dlldata)
            set(out ${GENERATED_DIR}/${base}_dlldata.c)
            add_custom_command(OUTPUT ${out}
                COMMAND ${WIDL} --dlldata-only -o ${out} ${base} ${W_DLLDATA}
                DEPENDS ${src} VERBATIM)
            continue()
        endif()
        add_custom_command(OUTPUT ${out}
            COMMAND ${WIDL} ${flags} ${opt} -o ${out} ${src}
            DEPENDS ${src} ${W_DEPENDS} VERBATIM)
    endforeach()
endfunction()
