#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace earshot
{

/** The groups of features Earshot can compute, as the report groups them. */
enum class FeatureFamily : uint8_t
{
    levels,      // per-channel and overall RMS, sample peak, min/max, crest, DC offset, clipped samples
    loudness,    // EBU R128 momentary, short-term, integrated, loudness range; BS.1770-4 true peak
    spectrum,    // centroid, spread, rolloff, flatness, flux, zero-crossing rate
    harmony,     // timbre and harmony: MFCC, chroma, key
    rhythm,      // onset detection function, onsets, tempo, beats
    stereo,      // correlation, width, balance
    descriptors, // energy, danceability, brightness, dynamics
    structure    // silences and section changes
};

/** A set of feature families: which ones to compute (and report).

    Some families are computed from others: descriptors from loudness, rhythm and
    spectrum; structure's section changes from harmony (MFCC and chroma).
    withDependencies() adds those. What the families share below that (the FFT of
    spectrum, harmony and rhythm; the per-hop level that tells silent frames apart)
    is internal to FeatureExtractor and runs when any family needs it.

    Plain value; any thread.
*/
class FeatureFamilies final
{
public:
    static constexpr int count = 8;

    static constexpr FeatureFamilies all() noexcept { return FeatureFamilies ((1u << count) - 1u); }
    static constexpr FeatureFamilies none() noexcept { return FeatureFamilies (0u); }

    constexpr bool contains (FeatureFamily family) const noexcept { return (bits & bit (family)) != 0; }
    constexpr bool containsAny (FeatureFamilies others) const noexcept { return (bits & others.bits) != 0; }
    constexpr bool isEmpty() const noexcept { return bits == 0; }

    constexpr FeatureFamilies with (FeatureFamily family) const noexcept
    {
        return FeatureFamilies (bits | bit (family));
    }
    constexpr FeatureFamilies with (FeatureFamilies others) const noexcept
    {
        return FeatureFamilies (bits | others.bits);
    }

    /** This set and every family its members are computed from. */
    constexpr FeatureFamilies withDependencies() const noexcept
    {
        auto result = *this;
        if (result.contains (FeatureFamily::descriptors))
            result = result.with (FeatureFamily::loudness).with (FeatureFamily::rhythm).with (FeatureFamily::spectrum);
        if (result.contains (FeatureFamily::structure))
            result = result.with (FeatureFamily::harmony);
        return result;
    }

    constexpr bool operator== (FeatureFamilies other) const noexcept { return bits == other.bits; }
    constexpr bool operator!= (FeatureFamilies other) const noexcept { return bits != other.bits; }

    /** Every family, in the order the report prints them. */
    static constexpr std::array<FeatureFamily, count> everyFamily() noexcept
    {
        return { FeatureFamily::levels, FeatureFamily::loudness, FeatureFamily::spectrum,    FeatureFamily::harmony,
                 FeatureFamily::rhythm, FeatureFamily::stereo,   FeatureFamily::descriptors, FeatureFamily::structure };
    }

    /** The name the command line uses: "levels", "loudness", ... */
    static constexpr std::string_view nameOf (FeatureFamily family) noexcept
    {
        constexpr std::string_view names[count] = { "levels", "loudness", "spectrum",    "harmony",
                                                    "rhythm", "stereo",   "descriptors", "structure" };
        return names[static_cast<int> (family)];
    }

    /** The family called `name` (exactly, as nameOf() spells it), or nothing. */
    static std::optional<FeatureFamily> fromName (std::string_view name) noexcept
    {
        for (auto family : everyFamily())
            if (nameOf (family) == name)
                return family;
        return std::nullopt;
    }

    /** "levels, loudness, spectrum, ...": the valid names, for messages. */
    static std::string validNames()
    {
        std::string list;
        for (auto family : everyFamily())
            list += (list.empty() ? "" : ", ") + std::string (nameOf (family));
        return list;
    }

private:
    constexpr explicit FeatureFamilies (uint32_t newBits) noexcept
        : bits (newBits)
    {
    }
    static constexpr uint32_t bit (FeatureFamily family) noexcept { return 1u << static_cast<uint32_t> (family); }

    uint32_t bits = 0;
};

} // namespace earshot
