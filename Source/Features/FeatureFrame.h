#pragma once

#include <array>
#include <cstdint>
#include <limits>

namespace earshot
{

/** Everything Earshot measures at one hop of the analysis (about every 11.6 ms at
    44.1 kHz). Plain data, cheap to copy; -inf marks "no level" (digital silence or
    not enough audio yet), NaN never appears.

    Frames are numbered from the start of the stream; a frame describes the
    analysis window that ends at `endSample`. The same audio gives the same frames
    whether it arrives live in any block size or offline from a file.
*/
struct FeatureFrame
{
    static constexpr int numMfcc = 13;
    static constexpr int numChroma = 12;
    static constexpr float noLevel = -std::numeric_limits<float>::infinity();

    int64_t index = 0;
    /** The sample (since the stream began) just after this frame's window. */
    int64_t endSample = 0;
    double timeSeconds = 0.0;

    // Level and loudness (EBU R128 / BS.1770-4)
    float momentaryLufs = noLevel;
    float shortTermLufs = noLevel;
    float rmsDbfs = noLevel;      // over this hop, all channels
    float peakDbfs = noLevel;     // sample peak over this hop, all channels
    float truePeakDbtp = noLevel; // 4x oversampled, over this hop

    // Spectrum (of the mono downmix; see Spectrum.h)
    float spectralCentroidHz = 0.0f;
    float spectralSpreadHz = 0.0f;
    float spectralRolloffHz = 0.0f; // 85 % of the magnitude sum lies below
    float spectralFlatness = 0.0f;  // 0 tonal .. 1 noise-like
    float spectralFlux = 0.0f;
    float zeroCrossingRate = 0.0f; // crossings per sample over the window

    // Timbre and harmony
    std::array<float, numMfcc> mfcc {};
    std::array<float, numChroma> chroma {}; // sums to 1, or all 0 in silence

    // Rhythm
    float onsetStrength = 0.0f;
    bool isOnset = false;

    // Stereo (mono reads as L = R: correlation 1, width 0, balance 0)
    float stereoCorrelation = 0.0f; // -1 .. 1
    float stereoWidth = 0.0f;       // side / (mid + side) energy, 0 .. 1
    float stereoBalance = 0.0f;     // -1 left .. +1 right

    // State
    bool isSilent = false;
    /** The input of this hop held NaN/Inf samples (analysed as silence). */
    bool hadInvalidInput = false;
};

} // namespace earshot
