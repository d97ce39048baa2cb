# JUCE's recommended warning flags, applied to Earshot's own code only: JUCE's
# sources compiled inside the same targets keep their own flags.
add_library(earshot_warnings INTERFACE)
target_link_libraries(earshot_warnings INTERFACE juce::juce_recommended_warning_flags)

# For targets that compile JUCE and Earshot sources together: put the warning
# flags on the listed Earshot sources only.
function(earshot_warn_sources)
    set_source_files_properties(${ARGN} PROPERTIES
        COMPILE_OPTIONS "$<TARGET_PROPERTY:juce::juce_recommended_warning_flags,INTERFACE_COMPILE_OPTIONS>")
endfunction()
