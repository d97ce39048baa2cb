#pragma once

#include <memory>
#include <vector>

namespace earshot
{

/** Magnitude spectrum of a Hann-windowed frame (FFTW, single precision, real input).

    The FFT size is a power of two; magnitudes() has fftSize / 2 + 1 bins, bin k at
    k * sampleRate / fftSize Hz, scaled so that a full-scale sine at a bin centre
    reads 1.0. Thread: one instance per thread; analyse() never allocates.
*/
class Spectrum final
{
public:
    Spectrum();
    ~Spectrum();

    /** Allocates buffers and an FFTW plan. Not the audio thread (FFTW planning is
        serialised internally, so instances may be prepared from several threads). */
    void prepare (int fftSize);

    /** Windows `frame` (fftSize samples, oldest first) and computes its magnitudes. */
    void analyse (const float* frame) noexcept;

    int getFftSize() const noexcept { return fftSize; }
    int getNumBins() const noexcept { return fftSize / 2 + 1; }
    const float* magnitudes() const noexcept { return magnitude.data(); }

    /** The FFT size Earshot uses at `sampleRate`: about 46 ms (2048 at 44.1/48 kHz). */
    static int fftSizeFor (double sampleRate) noexcept;

private:
    struct Plan;
    std::unique_ptr<Plan> plan;
    int fftSize = 0;
    std::vector<float> window, magnitude;
};

} // namespace earshot
