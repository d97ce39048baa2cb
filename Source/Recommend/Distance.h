#pragma once

#include <cstddef>
#include <vector>

namespace earshot
{

/** Squared Euclidean distance between `a` and `b`, two vectors of `*dimension`
    floats (`dimension` points to a size_t). This is hnswlib's distance signature, so
    one kernel serves both indexes. Neither vector needs any alignment. */
using SquaredDistance = float (*) (const void* a, const void* b, const void* dimension);

/** One implementation of SquaredDistance and the instruction set it needs. */
struct SquaredDistanceKernel
{
    const char* name;
    SquaredDistance function;
};

/** The reference: one float at a time, in order. Thread: any. */
float squaredDistanceScalar (const void* a, const void* b, const void* dimension);

/** The kernels this CPU can run, fastest first ("avx2+fma", then "sse", then
    "scalar"). The choice is made at run time, so the binary, built for baseline
    x86-64, still runs everywhere but uses AVX2 and FMA where the CPU has them.
    Thread: any. */
const std::vector<SquaredDistanceKernel>& squaredDistanceKernels();

/** The first of squaredDistanceKernels(): what both indexes use. Thread: any. */
const SquaredDistanceKernel& fastestSquaredDistance();

} // namespace earshot
