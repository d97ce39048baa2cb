# How Earshot compiles JUCE.
#
# Each juce::juce_* module target adds JUCE's sources to whatever links it, so a
# naive build compiles JUCE once per target. Earshot compiles it twice in all:
#   - inside the plugin's shared-code target (juce_add_plugin), which the plugin
#     formats and the plugin tests link;
#   - inside EarshotJuceHost, a static library that the host app, the CLI, the
#     host tests and the benchmarks link.
# The engine (Source/) compiles against JUCE's headers only and is linked next
# to whichever copy its consumer has.
#
# The configuration below is shared by both copies and the engine so that every
# translation unit sees the same JUCE classes. Changing it recompiles all of
# JUCE, so it changes rarely.

set(EARSHOT_JUCE_CONFIG
    JUCE_WEB_BROWSER=0
    JUCE_USE_CURL=0
    JUCE_DISPLAY_SPLASH_SCREEN=0
    JUCE_REPORT_APP_USAGE=0
    JUCE_STRICT_REFCOUNTEDPOINTER=1
    JUCE_SILENCE_XCODE_15_LINKER_WARNING=1
    JUCE_USE_MP3AUDIOFORMAT=1
    JUCE_VST3_CAN_REPLACE_VST2=0)

# The modules the engine may use (DESIGN.md: never GUI modules).
set(EARSHOT_ENGINE_JUCE_MODULES juce_core juce_events juce_audio_basics juce_audio_formats juce_dsp)

# Everything either copy compiles; both copies compile the same set so that
# their JUCE_MODULE_AVAILABLE_* flags, and so the headers, agree.
set(EARSHOT_JUCE_MODULES
    juce_core juce_events juce_data_structures juce_audio_basics juce_audio_formats
    juce_audio_devices juce_audio_processors juce_audio_utils juce_dsp juce_graphics
    juce_gui_basics juce_gui_extra juce_osc)

# Headers and configuration of JUCE without any of its sources: for libraries
# whose consumers bring a compiled copy of JUCE.
add_library(earshot_juce_headers INTERFACE)
target_include_directories(earshot_juce_headers SYSTEM INTERFACE "${JUCE_MODULES_DIR}")
target_compile_definitions(earshot_juce_headers INTERFACE
    ${EARSHOT_JUCE_CONFIG}
    JUCE_GLOBAL_MODULE_SETTINGS_INCLUDED=1
    $<$<CONFIG:Debug>:DEBUG=1 _DEBUG=1>
    $<$<NOT:$<CONFIG:Debug>>:NDEBUG=1 _NDEBUG=1>)
foreach(module IN LISTS EARSHOT_JUCE_MODULES)
    target_compile_definitions(earshot_juce_headers INTERFACE JUCE_MODULE_AVAILABLE_${module}=1)
endforeach()

# A static library holding one compiled copy of JUCE (JUCE's documented pattern
# for sharing modules between targets). Its include directories and
# definitions are re-exported; its sources are not.
function(earshot_add_juce_library target)
    cmake_parse_arguments(ARG "" "" "DEFINITIONS" ${ARGN})
    add_library(${target} STATIC)
    list(TRANSFORM EARSHOT_JUCE_MODULES PREPEND "juce::" OUTPUT_VARIABLE modules)
    target_link_libraries(${target}
        PRIVATE ${modules}
        PUBLIC juce::juce_recommended_config_flags PkgConfig::EARSHOT_CODECS Threads::Threads)
    target_compile_definitions(${target}
        PUBLIC ${EARSHOT_JUCE_CONFIG} JUCE_STANDALONE_APPLICATION=1 ${ARG_DEFINITIONS}
        INTERFACE $<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>)
    target_include_directories(${target} SYSTEM
        INTERFACE $<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>)
    set_target_properties(${target} PROPERTIES
        VISIBILITY_INLINES_HIDDEN TRUE
        C_VISIBILITY_PRESET hidden
        CXX_VISIBILITY_PRESET hidden)
endfunction()

# Names the compiled copy of JUCE that a final target (executable or plugin)
# links, so that the engine's static library finds its JUCE symbols after it.
function(earshot_use_juce target juce_library)
    set_target_properties(${target} PROPERTIES EARSHOT_JUCE_LIBRARY ${juce_library})
endfunction()

# Re-exports the include directories and definitions of the plugin's shared-code
# target to another target (the plugin tests), which then links that target's
# compiled JUCE instead of compiling its own (as pamplejuce does).
function(earshot_use_juce_of_plugin target plugin)
    target_compile_definitions(${target} PRIVATE $<TARGET_PROPERTY:${plugin},COMPILE_DEFINITIONS>)
    target_include_directories(${target} SYSTEM PRIVATE $<TARGET_PROPERTY:${plugin},INCLUDE_DIRECTORIES>)
    target_link_libraries(${target} PRIVATE ${plugin})
    earshot_use_juce(${target} ${plugin})
endfunction()
