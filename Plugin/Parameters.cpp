#include "Parameters.h"

namespace earshot::parameters
{

juce::AudioProcessorValueTreeState::ParameterLayout createLayout()
{
    juce::AudioProcessorValueTreeState::ParameterLayout layout;

    layout.add (
        std::make_unique<juce::AudioParameterFloat> (juce::ParameterID { inputTrimId, 1 }, "Input trim",
                                                     juce::NormalisableRange<float> { minTrimDb, maxTrimDb, 0.1f },
                                                     0.0f, juce::AudioParameterFloatAttributes().withLabel ("dB")));

    layout.add (std::make_unique<juce::AudioParameterBool> (juce::ParameterID { bypassId, 1 }, "Bypass", false));

    return layout;
}

} // namespace earshot::parameters
