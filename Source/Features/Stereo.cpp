#include "Features/Stereo.h"

#include <algorithm>
#include <cmath>

namespace earshot
{

namespace
{
// Branch-free, so the loop below vectorises: x - x is 0 for finite x, NaN otherwise.
float sanitised (float sample) noexcept
{
    return sample - sample == 0.0f ? sample : 0.0f;
}

// Rounding can push a ratio a hair outside its range; NaN/Inf (from sums that
// overflowed) read as "no image".
float bounded (double value, double low, double high) noexcept
{
    return std::isfinite (value) ? static_cast<float> (std::clamp (value, low, high)) : 0.0f;
}
} // namespace

void Stereo::reset() noexcept
{
    sumLL = sumRR = sumLR = 0.0;
}

void Stereo::process (const float* left, const float* right, int numSamples) noexcept
{
    if (left == nullptr || right == nullptr)
        return;

    // Local sums let the compiler keep them in registers; double keeps minutes of
    // audio accurate.
    double ll = 0.0, rr = 0.0, lr = 0.0;
#pragma omp simd reduction(+ : ll, rr, lr)
    for (int i = 0; i < numSamples; ++i)
    {
        const double l = sanitised (left[i]);
        const double r = sanitised (right[i]);
        ll += l * l;
        rr += r * r;
        lr += l * r;
    }
    sumLL += ll;
    sumRR += rr;
    sumLR += lr;
}

StereoImage Stereo::image() const noexcept
{
    StereoImage result;
    const auto total = sumLL + sumRR;
    if (! (total > 0.0) || ! std::isfinite (total))
        return result;

    // Correlation is undefined when one side is silent: report "unrelated".
    // sqrt of each sum rather than of their product, which could overflow.
    const auto norm = std::sqrt (sumLL) * std::sqrt (sumRR);
    if (norm > 0.0)
        result.correlation = bounded (sumLR / norm, -1.0, 1.0);

    // side energy = (LL - 2 LR + RR) / 4 and mid + side = (LL + RR) / 2.
    result.width = bounded ((total - 2.0 * sumLR) / (2.0 * total), 0.0, 1.0);
    result.balance = bounded ((sumRR - sumLL) / total, -1.0, 1.0);
    return result;
}

} // namespace earshot
