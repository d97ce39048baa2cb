// The plugin's state restore: bytes a host hands to setStateInformation().
//
// Each input is tried twice: as a whole blob (the envelope's checks: magic,
// version, size, checksum), and as the payload of an envelope with a correct
// header and checksum, which is what a buggy or hostile writer produces and
// the only way random bytes reach the ValueTree parser behind the checksum.

#include "PluginState.h"

#include <zlib.h>

#include <cstddef>
#include <cstdint>

namespace
{
juce::MemoryBlock envelopeAround (const uint8_t* payload, size_t size)
{
    juce::MemoryOutputStream out;
    out.write ("ESHT", 4);
    out.writeInt (static_cast<int> (earshot::PluginState::currentVersion));
    out.writeInt (static_cast<int> (size));
    out.writeInt (static_cast<int> (crc32 (0, payload, static_cast<uInt> (size))));
    out.write (payload, size);
    return out.getMemoryBlock();
}

/** Reads everything the processor would: the children it looks up, and every property. */
void readAll (const juce::ValueTree& tree, int depth = 0)
{
    for (int i = 0; i < tree.getNumProperties(); ++i)
        juce::ignoreUnused (tree[tree.getPropertyName (i)].toString());
    if (depth < 64)
        for (const auto& child : tree)
            readAll (child, depth + 1);
}

void restore (const void* data, size_t size)
{
    juce::String error;
    if (const auto state = earshot::PluginState::read (data, size, error))
    {
        readAll (*state);
        // Saved again, it must read back.
        const auto saved = earshot::PluginState::write (*state);
        if (! earshot::PluginState::read (saved.getData(), saved.getSize(), error).has_value())
            __builtin_trap();
    }
    else if (error.isEmpty())
    {
        __builtin_trap(); // refused without a reason
    }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput (const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput (const uint8_t* data, size_t size)
{
    restore (data, size);
    const auto wrapped = envelopeAround (data, size);
    restore (wrapped.getData(), wrapped.getSize());
    return 0;
}
