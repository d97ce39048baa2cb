#pragma once

#include <juce_audio_processors/juce_audio_processors.h>

namespace earshot::parameters
{

/** Parameter IDs are part of saved sessions: never rename them. */
inline constexpr const char* inputTrimId = "inputTrim";
inline constexpr const char* bypassId = "bypass";

inline constexpr float minTrimDb = -24.0f;
inline constexpr float maxTrimDb = 24.0f;

/** Earshot's automatable parameters. */
juce::AudioProcessorValueTreeState::ParameterLayout createLayout();

} // namespace earshot::parameters
