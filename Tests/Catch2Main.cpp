// Catch2's main, with JUCE's message manager set up (editors and hosted plugins need it).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <juce_gui_basics/juce_gui_basics.h>

int main (int argc, char* argv[])
{
    const juce::ScopedJuceInitialiser_GUI juce;
    const auto result = Catch::Session().run (argc, argv);
    juce::DeletedAtShutdown::deleteAll();
    return result;
}
