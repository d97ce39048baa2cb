#include "PluginState.h"

#include <zlib.h>

#include <cstring>

namespace earshot::PluginState
{
namespace
{
constexpr char magic[4] = { 'E', 'S', 'H', 'T' };

/** Checks that bytes hold one ValueTree in JUCE's binary form without building it:
    every count must fit in the bytes left, and nesting is limited, so a forged
    payload costs at most one pass over its bytes. JUCE's own reader trusts the
    counts and reserves storage for them first (a few bytes can ask for gigabytes). */
class TreeChecker final
{
public:
    TreeChecker (const uint8_t* bytes, size_t size)
        : data (bytes)
        , end (bytes + size)
    {
    }

    bool isWholeTree() { return tree (0) && data == end; }

private:
    static constexpr int maxDepth = 32;

    size_t left() const noexcept { return static_cast<size_t> (end - data); }

    bool skip (size_t count) noexcept
    {
        if (count > left())
            return false;
        data += count;
        return true;
    }

    bool string (bool mayBeEmpty) noexcept
    {
        const auto* terminator = static_cast<const uint8_t*> (std::memchr (data, 0, left()));
        if (terminator == nullptr || (! mayBeEmpty && terminator == data))
            return false;
        data = terminator + 1;
        return true;
    }

    bool compressedInt (int64_t& value) noexcept
    {
        if (left() < 1)
            return false;
        const auto sizeByte = *data++;
        const auto count = static_cast<size_t> (sizeByte & 0x7f);
        if (count > 4 || count > left())
            return false;
        uint32_t magnitude = 0;
        for (size_t i = 0; i < count; ++i)
            magnitude |= static_cast<uint32_t> (data[i]) << (8 * i);
        data += count;
        value = (sizeByte & 0x80) != 0 ? -static_cast<int64_t> (magnitude) : static_cast<int64_t> (magnitude);
        return true;
    }

    /** A count of items each at least `minimumBytes` long, that must fit in what is left. */
    bool count (int64_t& value, size_t minimumBytes) noexcept
    {
        return compressedInt (value) && value >= 0 && static_cast<uint64_t> (value) * minimumBytes <= left();
    }

    bool variant (int depth) noexcept
    {
        int64_t numBytes = 0;
        if (depth > maxDepth || ! compressedInt (numBytes) || numBytes < 0 || static_cast<uint64_t> (numBytes) > left())
            return false;
        if (numBytes == 0)
            return true;

        const auto marker = *data++;
        const auto payload = static_cast<size_t> (numBytes - 1);
        switch (marker)
        {
            case 1:
                return payload == 4 && skip (4); // int
            case 2:
            case 3:
                return payload == 0; // bool
            case 4:
                return payload == 8 && skip (8); // double
            case 6:
                return payload == 8 && skip (8); // int64
            case 7:                              // array: its elements follow, each a variant
            {
                int64_t elements = 0;
                if (! count (elements, 1))
                    return false;
                for (int64_t i = 0; i < elements; ++i)
                    if (! variant (depth + 1))
                        return false;
                return true;
            }
            default:
                return skip (payload); // string, binary, or a kind this reader skips
        }
    }

    bool tree (int depth) noexcept
    {
        if (depth > maxDepth || ! string (false))
            return false;

        int64_t properties = 0;
        if (! count (properties, 2))
            return false;
        for (int64_t i = 0; i < properties; ++i)
            if (! string (false) || ! variant (depth + 1))
                return false;

        int64_t children = 0;
        if (! count (children, 3))
            return false;
        for (int64_t i = 0; i < children; ++i)
            if (! tree (depth + 1))
                return false;
        return true;
    }

    const uint8_t* data;
    const uint8_t* const end;
};

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

    if (! TreeChecker (bytes + headerSize, payloadSize).isWholeTree())
    {
        error = "state payload is malformed";
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
