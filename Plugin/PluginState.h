#pragma once

#include <juce_data_structures/juce_data_structures.h>

#include <optional>

namespace earshot
{

/** The binary envelope of Earshot's saved state.

    Layout, little-endian: magic "ESHT", format version (uint32), payload size
    (uint32), CRC-32 of the payload (uint32), payload (a ValueTree in JUCE's
    binary form, type "EarshotState"). Everything is checked before the payload
    is parsed, so a damaged or foreign blob is rejected with a reason and never
    reaches the parameters.
*/
namespace PluginState
{
inline constexpr uint32_t currentVersion = 1;
inline constexpr const char* stateType = "EarshotState";
inline constexpr size_t headerSize = 16;

/** Wraps `state` in the envelope. Any thread. */
juce::MemoryBlock write (const juce::ValueTree& state);

/** The state inside `data`, or nothing with `error` saying why. Any thread. */
std::optional<juce::ValueTree> read (const void* data, size_t size, juce::String& error);
} // namespace PluginState

} // namespace earshot
