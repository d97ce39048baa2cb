#include "Features/Spectrum.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <mutex>

namespace earshot
{
namespace
{
// FFTW's planner is not thread-safe; execution of a finished plan is.
std::mutex& plannerMutex()
{
    static std::mutex mutex;
    return mutex;
}

struct FftwFree
{
    void operator() (void* pointer) const noexcept { fftwf_free (pointer); }
};
} // namespace

struct Spectrum::Plan
{
    std::unique_ptr<float, FftwFree> input;
    std::unique_ptr<fftwf_complex, FftwFree> output;
    fftwf_plan plan = nullptr;

    explicit Plan (int size)
        : input (static_cast<float*> (fftwf_malloc (sizeof (float) * static_cast<size_t> (size))))
        , output (
              static_cast<fftwf_complex*> (fftwf_malloc (sizeof (fftwf_complex) * static_cast<size_t> (size / 2 + 1))))
    {
        const std::lock_guard<std::mutex> lock (plannerMutex());
        // ESTIMATE: planning by measurement would make results depend on timing.
        plan = fftwf_plan_dft_r2c_1d (size, input.get(), output.get(), FFTW_ESTIMATE);
    }

    ~Plan()
    {
        const std::lock_guard<std::mutex> lock (plannerMutex());
        fftwf_destroy_plan (plan);
    }
};

Spectrum::Spectrum() = default;
Spectrum::~Spectrum() = default;

int Spectrum::fftSizeFor (double sampleRate) noexcept
{
    // The power of two nearest (on a log scale) to 46 ms, within 256..8192.
    const auto exponent = std::round (std::log2 (std::max (0.046 * sampleRate, 1.0)));
    return 1 << static_cast<int> (std::clamp (exponent, 8.0, 13.0));
}

void Spectrum::prepare (int newFftSize)
{
    fftSize = newFftSize;
    plan = std::make_unique<Plan> (fftSize);
    window.resize (static_cast<size_t> (fftSize));
    magnitude.assign (static_cast<size_t> (getNumBins()), 0.0f);

    // Periodic Hann; a full-scale sine then has magnitude sum(window)/2 at its bin.
    double windowSum = 0.0;
    for (int i = 0; i < fftSize; ++i)
    {
        window[static_cast<size_t> (i)] = static_cast<float> (0.5 - 0.5 * std::cos (2.0 * M_PI * i / fftSize));
        windowSum += window[static_cast<size_t> (i)];
    }
    const auto scale = static_cast<float> (2.0 / windowSum);
    for (auto& w : window)
        w *= scale;
}

void Spectrum::analyse (const float* frame) noexcept
{
    auto* in = plan->input.get();
    for (int i = 0; i < fftSize; ++i)
        in[i] = frame[i] * window[static_cast<size_t> (i)];

    fftwf_execute (plan->plan);

    const auto* out = plan->output.get();
    for (int k = 0; k < getNumBins(); ++k)
        magnitude[static_cast<size_t> (k)] = std::sqrt (out[k][0] * out[k][0] + out[k][1] * out[k][1]);
}

} // namespace earshot
