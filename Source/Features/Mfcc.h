#pragma once

#include "Features/FeatureFrame.h"

#include <vector>

namespace earshot
{

/** 13 mel-frequency cepstral coefficients from a magnitude spectrum (see Spectrum.h).

    - 40 triangular bands equally spaced on the Slaney mel scale (linear below 1 kHz,
      logarithmic above; librosa's default, not HTK) from 20 Hz to
      min(16 kHz, sampleRate / 2). Below 32 kHz sample rate the top bands move down
      with Nyquist, so coefficients compare only between streams of similar rates.
    - Each triangle's weights sum to 1, so a band reads the mean power of the bins
      under it: white noise gives a flat mel spectrum and c1..c12 near 0 at every FFT
      size (c1 averages ~-0.35: the narrow low bands average fewer bins, and the log
      of a mean of fewer bins is lower on average).
    - Band power floor 1e-10 (-100 dB re a full-scale sine's bin, whose power is 1)
      before the natural log (FastMath's fastLog, within 1e-4 of std::log), so silence
      gives ln(1e-10) in every band: c0 = sqrt(40) ln(1e-10) ~ -145.6, c1..c12 = 0.
    - Orthonormal DCT-II of the 40 log powers, coefficients 0..12. Hence c0 =
      sqrt(40) * mean log power: scaling the signal by g adds sqrt(40) ln(g^2) to c0
      (doubling: +8.768) and leaves c1..c12 unchanged.

    Thread: one instance per thread; compute() neither allocates nor locks. */
class Mfcc final
{
public:
    static constexpr int numBands = 40;
    static constexpr float minFrequencyHz = 20.0f;
    static constexpr float maxFrequencyHz = 16000.0f;
    /** Band power floor: -100 dB re a full-scale sine at a bin centre. */
    static constexpr float powerFloor = 1.0e-10f;

    /** Builds the filterbank and DCT tables for spectra of `fftSize` at `sampleRate`.
        Allocates: call from a non-audio thread (or before audio starts). */
    void prepare (double sampleRate, int fftSize);

    /** `magnitudes`: fftSize / 2 + 1 bins as Spectrum::magnitudes() gives them.
        Thread: the thread that owns this instance (audio-safe: no allocation, no locks). */
    void compute (const float* magnitudes, std::array<float, FeatureFrame::numMfcc>& out) noexcept;

    /** Natural-log band powers of the last compute(), low band first (for tests and
        displays). Thread: the owning thread. */
    const std::array<float, numBands>& logBandPowers() const noexcept { return logPowers; }

private:
    struct Tap
    {
        int bin;
        float weight;
    };

    std::vector<Tap> taps;                      // every band's taps, band after band
    std::array<int, numBands + 1> bandStart {}; // band b owns taps[bandStart[b] .. bandStart[b + 1])
    std::array<std::array<float, numBands>, FeatureFrame::numMfcc> dct {};
    std::array<float, numBands> logPowers {};
};

} // namespace earshot
