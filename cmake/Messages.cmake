# src/messages.mc → generated/messages.h (the BG_E_* codes) and messages.rc
# with its MSG00409.bin (the message table resource).
find_program(WINDMC NAMES x86_64-w64-mingw32-windmc windmc REQUIRED)
add_custom_command(
    OUTPUT ${GENERATED_DIR}/messages.h ${GENERATED_DIR}/messages.rc ${GENERATED_DIR}/MSG00409.bin
    COMMAND ${WINDMC} -U -h ${GENERATED_DIR} -r ${GENERATED_DIR} ${PROJECT_SOURCE_DIR}/src/messages.mc
    DEPENDS ${PROJECT_SOURCE_DIR}/src/messages.mc VERBATIM)
