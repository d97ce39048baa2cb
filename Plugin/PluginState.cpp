#include "PluginState.h"

#include <zlib.h>

#include <cstring>

namespace earshot::PluginState
{
namespace
{
constexpr char magic[4] = { 'E', 'S', 'H', 'T' };

uint32_t checksum (const void* data, size_t size)
{
    return static_cast<uint32_t> (crc32 (0L, static_cast<const Bytef*> (data), static_cast<uInt> (size)));
}
} // namespace

juce::MemoryBlock write (const juce::ValueTree& state)
{
    juce::MemoryOutputStream payload;
    state.writeToStream (payload);

    juce::MemoryOutputStream out;
    out.write (magic, sizeof (magic));
    out.writeInt (static_cast<int> (currentVersion));
    out.writeInt (static_cast<int> (payload.getDataSize()));
    out.writeInt (static_cast<int> (checksum (payload.getData(), payload.getDataSize())));
    out.write (payload.getData(), payload.getDataSize());
    return out.getMemoryBlock();
}

std::optional<juce::ValueTree> read (const void* data, size_t size, juce::String& error)
{
    if (data == nullptr || size < headerSize)
    {
        error = "state is too short to be Earshot's (" + juce::String (size) + " bytes)";
        return std::nullopt;
    }

    const auto* bytes = static_cast<const uint8_t*> (data);
    if (std::memcmp (bytes, magic, sizeof (magic)) != 0)
    {
        error = "state is not Earshot's (wrong magic)";
        return std::nullopt;
    }

    const auto version = juce::ByteOrder::littleEndianInt (bytes + 4);
    const auto payloadSize = juce::ByteOrder::littleEndianInt (bytes + 8);
    const auto expectedChecksum = juce::ByteOrder::littleEndianInt (bytes + 12);

    if (version == 0 || version > currentVersion)
    {
        error = "state has format version " + juce::String (version) + "; this Earshot reads up to " +
                juce::String (currentVersion);
        return std::nullopt;
    }

    if (static_cast<size_t> (payloadSize) != size - headerSize)
    {
        error = "state is truncated or padded (" + juce::String (size - headerSize) + " payload bytes, header says " +
                juce::String (payloadSize) + ")";
        return std::nullopt;
    }

    if (checksum (bytes + headerSize, payloadSize) != expectedChecksum)
    {
        error = "state is damaged (checksum mismatch)";
        return std::nullopt;
    }

    auto tree = juce::ValueTree::readFromData (bytes + headerSize, payloadSize);
    if (! tree.isValid() || ! tree.hasType (stateType))
    {
        error = "state payload is not an " + juce::String (stateType) + " tree";
        return std::nullopt;
    }

    // JUCE's reader does not notice counts that promise more than the data holds
    // (it makes up empty properties and children). A well-formed payload is exactly
    // what writing its tree gives back.
    juce::MemoryOutputStream canonical;
    tree.writeToStream (canonical);
    if (canonical.getDataSize() != payloadSize ||
        std::memcmp (canonical.getData(), bytes + headerSize, payloadSize) != 0)
    {
        error = "state payload is malformed";
        return std::nullopt;
    }

    error.clear();
    return tree;
}

} // namespace earshot::PluginState
