#pragma once

#include <cstdint>
#include <cstring>

namespace earshot
{

/** log2 of a positive, normal float within 1.5e-4: the exponent from the bits and,
    for the mantissa m in [1, 2), (m - 1) + (m - 1)(2 - m)(a + bm + cm^2) fitted by
    least squares. The form is exact at m = 1 and m = 2, so fastLog2 (1) is 0 and
    the result is continuous and increasing across octaves. The features take a log per bin or
    band per frame, where the library's log costs more than the FFT; this one is
    branch-free and deterministic (so live still equals offline). Any thread. */
inline float fastLog2 (float x) noexcept
{
    uint32_t bits;
    std::memcpy (&bits, &x, sizeof (bits));
    const auto exponent = static_cast<float> (static_cast<int> ((bits >> 23) & 0xff) - 127);
    bits = (bits & 0x007fffffu) | 0x3f800000u; // mantissa in [1, 2)
    float m;
    std::memcpy (&m, &bits, sizeof (m));
    const auto t = m - 1.0f;
    return exponent + t + t * (2.0f - m) * ((0.0803073f * m - 0.3973080f) * m + 0.7550740f);
}

/** Natural log with fastLog2's accuracy (within 1e-4). */
inline float fastLog (float x) noexcept
{
    return 0.69314718f * fastLog2 (x);
}

} // namespace earshot
