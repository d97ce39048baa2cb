#pragma once

#include "Features/FeatureFrame.h"

namespace earshot
{

/** 12-bin chroma (pitch-class profile, C = 0, A4 = 440 Hz) from a magnitude spectrum
    (see Spectrum.h), normalised to sum 1; all 0 in silence.

    Works on spectral peaks, not bins: a 46 ms window's bins are wider than a semitone
    below ~370 Hz, so mapping bins to pitch classes smears low notes over their
    neighbours. Each local maximum between 55 Hz and 5 kHz (or just below Nyquist) is
    located to a fraction of a bin with the exact interpolation for a Hann window
    (Grandke: delta = (2a - 1) / (a + 1), a = larger neighbour / peak), its amplitude
    corrected for scalloping, and that amplitude (magnitude, not energy, so a loud
    bass note does not drown the chord above it) is split between the two nearest
    pitch classes by distance in cents with weights cos^2 and sin^2 of
    (pi / 2 * fraction of a semitone), which sum to 1: 25 cents sharp of A gives
    85 % A and 15 % A#. Peaks more than 40 dB below the strongest, or below
    -120 dBFS, are ignored (noise, window side lobes).

    Isolated partials are placed exactly; two partials closer than ~2.5 bins
    (e.g. a major third below ~200 Hz at 44.1 kHz) merge into one peak and land
    between them: a limit of the window length, not of this class.

    Thread: one instance per thread; compute() neither allocates nor locks. */
class Chroma final
{
public:
    static constexpr float minFrequencyHz = 55.0f;
    static constexpr float maxFrequencyHz = 5000.0f;
    static constexpr float relativeFloor = 0.01f;   // -40 dB re the frame's strongest peak
    static constexpr float absoluteFloor = 1.0e-6f; // -120 dB re a full-scale sine

    /** Prepares for spectra of `fftSize` at `sampleRate`. Does not allocate, but call it
        from the thread that owns the instance, not while compute() may run. */
    void prepare (double sampleRate, int fftSize);

    /** `magnitudes`: fftSize / 2 + 1 bins as Spectrum::magnitudes() gives them.
        Thread: the thread that owns this instance (audio-safe: no allocation, no locks). */
    void compute (const float* magnitudes, std::array<float, FeatureFrame::numChroma>& out) noexcept;

private:
    int firstBin = 1, lastBin = 0; // the peak search range; both neighbours exist
    float midiNoteAtBinOne = 0.0f; // 69 + 12 log2 (binHz / 440)
};

} // namespace earshot
