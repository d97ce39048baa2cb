#include "Recommend/Distance.h"

#if defined(__x86_64__) || defined(__i386__)
    #include <immintrin.h>
    #define EARSHOT_X86 1
#endif

namespace earshot
{

float squaredDistanceScalar (const void* a, const void* b, const void* dimension)
{
    const auto* x = static_cast<const float*> (a);
    const auto* y = static_cast<const float*> (b);
    const auto n = *static_cast<const size_t*> (dimension);
    float sum = 0.0f;
    for (size_t i = 0; i < n; ++i)
        sum += (x[i] - y[i]) * (x[i] - y[i]);
    return sum;
}

#if EARSHOT_X86
namespace
{
// SSE is part of every x86-64, so this one needs no check.
float squaredDistanceSse (const void* a, const void* b, const void* dimension)
{
    const auto* x = static_cast<const float*> (a);
    const auto* y = static_cast<const float*> (b);
    const auto n = *static_cast<const size_t*> (dimension);
    __m128 sum0 = _mm_setzero_ps(), sum1 = _mm_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
    {
        const auto d0 = _mm_sub_ps (_mm_loadu_ps (x + i), _mm_loadu_ps (y + i));
        const auto d1 = _mm_sub_ps (_mm_loadu_ps (x + i + 4), _mm_loadu_ps (y + i + 4));
        sum0 = _mm_add_ps (sum0, _mm_mul_ps (d0, d0));
        sum1 = _mm_add_ps (sum1, _mm_mul_ps (d1, d1));
    }
    if (i + 4 <= n)
    {
        const auto d = _mm_sub_ps (_mm_loadu_ps (x + i), _mm_loadu_ps (y + i));
        sum0 = _mm_add_ps (sum0, _mm_mul_ps (d, d));
        i += 4;
    }
    sum0 = _mm_add_ps (sum0, sum1);
    sum0 = _mm_add_ps (sum0, _mm_movehl_ps (sum0, sum0));
    sum0 = _mm_add_ss (sum0, _mm_shuffle_ps (sum0, sum0, 1));
    auto sum = _mm_cvtss_f32 (sum0);
    for (; i < n; ++i)
        sum += (x[i] - y[i]) * (x[i] - y[i]);
    return sum;
}

// Compiled for AVX2 and FMA whatever the build's -march, and called only after
// __builtin_cpu_supports said the CPU (and the OS, for the wide registers) has them.
__attribute__ ((target ("avx2,fma"))) float squaredDistanceAvx2 (const void* a, const void* b, const void* dimension)
{
    const auto* x = static_cast<const float*> (a);
    const auto* y = static_cast<const float*> (b);
    const auto n = *static_cast<const size_t*> (dimension);
    // Two accumulators so consecutive FMAs do not wait on each other.
    __m256 sum0 = _mm256_setzero_ps(), sum1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
    {
        const auto d0 = _mm256_sub_ps (_mm256_loadu_ps (x + i), _mm256_loadu_ps (y + i));
        const auto d1 = _mm256_sub_ps (_mm256_loadu_ps (x + i + 8), _mm256_loadu_ps (y + i + 8));
        sum0 = _mm256_fmadd_ps (d0, d0, sum0);
        sum1 = _mm256_fmadd_ps (d1, d1, sum1);
    }
    if (i + 8 <= n)
    {
        const auto d = _mm256_sub_ps (_mm256_loadu_ps (x + i), _mm256_loadu_ps (y + i));
        sum0 = _mm256_fmadd_ps (d, d, sum0);
        i += 8;
    }
    sum0 = _mm256_add_ps (sum0, sum1);
    auto sum4 = _mm_add_ps (_mm256_castps256_ps128 (sum0), _mm256_extractf128_ps (sum0, 1));
    if (i + 4 <= n)
    {
        const auto d = _mm_sub_ps (_mm_loadu_ps (x + i), _mm_loadu_ps (y + i));
        sum4 = _mm_fmadd_ps (d, d, sum4);
        i += 4;
    }
    sum4 = _mm_add_ps (sum4, _mm_movehl_ps (sum4, sum4));
    sum4 = _mm_add_ss (sum4, _mm_shuffle_ps (sum4, sum4, 1));
    auto sum = _mm_cvtss_f32 (sum4);
    for (; i < n; ++i)
    {
        const auto d = x[i] - y[i];
        sum += d * d;
    }
    return sum;
}
} // namespace
#endif

const std::vector<SquaredDistanceKernel>& squaredDistanceKernels()
{
    static const std::vector<SquaredDistanceKernel> kernels = []
    {
        std::vector<SquaredDistanceKernel> list;
#if EARSHOT_X86
        if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
            list.push_back ({ "avx2+fma", squaredDistanceAvx2 });
        list.push_back ({ "sse", squaredDistanceSse });
#endif
        list.push_back ({ "scalar", squaredDistanceScalar });
        return list;
    }();
    return kernels;
}

const SquaredDistanceKernel& fastestSquaredDistance()
{
    return squaredDistanceKernels().front();
}

} // namespace earshot
