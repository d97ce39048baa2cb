#include "Recommend/Distance.h"
#include "Recommend/Embedding.h"
#include "Recommend/Index.h"

#include <catch2/catch.hpp>
#include <juce_core/juce_core.h>

#include <algorithm>
#include <cfloat>
#include <numeric>
#include <random>
#include <set>

using namespace earshot;

namespace
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    #define EARSHOT_SANITIZED 1
#elif defined(__has_feature)
    #if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
        #define EARSHOT_SANITIZED 1
    #endif
#endif

/** How many vectors a graph test builds from. Under a sanitizer hnswlib's inserts
    run 50-150x slower (ThreadSanitizer: a lock per node visited; a tenth of the
    vectors still took 271 s of ctest's 300 under TSan on the loaded 2-core machine),
    so the graph tests take a fortieth: the same code on the same threads, which is
    what a sanitizer checks. */
constexpr size_t scaled (size_t count)
{
#if EARSHOT_SANITIZED
    return count / 40;
#else
    return count;
#endif
}

std::vector<float> randomVectors (size_t count, size_t dims, unsigned seed)
{
    std::mt19937 random (seed);
    std::normal_distribution<float> normal;
    std::vector<float> v (count * dims);
    for (auto& x : v)
        x = normal (random);
    return v;
}

std::vector<int64_t> idsOf (const std::vector<Neighbour>& found)
{
    std::vector<int64_t> ids;
    for (const auto& n : found)
        ids.push_back (n.id);
    return ids;
}

/** Of the exact `k` nearest of each query, the fraction `index` finds. */
double recallAt (size_t k, const Index& index, const ExactIndex& exact, const std::vector<float>& queries)
{
    const auto dims = exact.dimension();
    const auto numQueries = queries.size() / dims;
    size_t hits = 0;
    for (size_t q = 0; q < numQueries; ++q)
    {
        const auto truth = idsOf (exact.search (queries.data() + q * dims, k));
        const std::set<int64_t> expected (truth.begin(), truth.end());
        for (auto id : idsOf (index.search (queries.data() + q * dims, k)))
            hits += expected.count (id);
    }
    return static_cast<double> (hits) / static_cast<double> (k * numQueries);
}

struct TempFile
{
    juce::File file = juce::File::createTempFile (".index");
    ~TempFile() { file.deleteFile(); }
    std::string path() const { return file.getFullPathName().toStdString(); }
};
} // namespace

TEST_CASE ("ExactIndex returns the nearest points in order with their squared distances", "[recommend]")
{
    // Points on the x axis at 0, 1, ..., 9 (ids 100..109); query at 3.4.
    ExactIndex index (3);
    for (int i = 0; i < 10; ++i)
    {
        const float point[] = { static_cast<float> (i), 0.0f, 0.0f };
        index.add (100 + i, point);
    }
    const float query[] = { 3.4f, 0.0f, 0.0f };
    const auto found = index.search (query, 4);
    CHECK (idsOf (found) == std::vector<int64_t> { 103, 104, 102, 105 });
    CHECK (found[0].distanceSquared == Approx (0.16f));
    CHECK (found[3].distanceSquared == Approx (2.56f));
    CHECK (index.search (query, 50).size() == 10);
    CHECK (index.search (query, 0).empty());
}

TEST_CASE ("ExactIndex adds, replaces and removes incrementally", "[recommend]")
{
    ExactIndex index (2);
    const float a[] = { 0.0f, 0.0f }, b[] = { 5.0f, 0.0f }, c[] = { 9.0f, 0.0f };
    index.add (1, a);
    index.add (2, b);
    index.add (3, c);
    CHECK (index.size() == 3);

    CHECK (index.remove (1));
    CHECK_FALSE (index.remove (1));
    CHECK_FALSE (index.contains (1));
    CHECK (idsOf (index.search (a, 3)) == std::vector<int64_t> { 2, 3 });

    index.add (3, a); // moves 3 to the origin
    CHECK (index.size() == 2);
    CHECK (idsOf (index.search (a, 1)) == std::vector<int64_t> { 3 });
    CHECK (index.search (a, 1)[0].distanceSquared == 0.0f);
}

TEST_CASE ("Every squared-distance kernel agrees with the scalar reference within float rounding", "[recommend]")
{
    // Dimensions 1..67 cover every tail length of the 16-, 8- and 4-wide loops; offsets of
    // 0..3 floats from a 64-byte boundary, different for the two vectors, make the loads unaligned.
    std::mt19937 random (3);
    std::normal_distribution<float> normal;
    alignas (64) float a[80], b[80];
    for (size_t i = 0; i < 80; ++i)
    {
        a[i] = normal (random);
        b[i] = normal (random);
    }
    CHECK (fastestSquaredDistance().function == squaredDistanceKernels().front().function);
    for (const auto& kernel : squaredDistanceKernels())
    {
        CAPTURE (kernel.name);
        for (size_t dims = 1; dims <= 67; ++dims)
        {
            for (size_t offsetA = 0; offsetA < 4; ++offsetA)
            {
                const size_t offsetB = (offsetA + 2) % 4;
                CAPTURE (dims, offsetA, offsetB);
                double exact = 0.0;
                for (size_t i = 0; i < dims; ++i)
                    exact += (double (a[offsetA + i]) - double (b[offsetB + i])) *
                             (double (a[offsetA + i]) - double (b[offsetB + i]));
                // A sum of n non-negative float terms, in any order, is within about
                // n epsilon of the exact sum, relative.
                const auto tolerance = double (dims + 2) * FLT_EPSILON * exact;
                const auto scalar = squaredDistanceScalar (a + offsetA, b + offsetB, &dims);
                const auto fast = kernel.function (a + offsetA, b + offsetB, &dims);
                CHECK (std::abs (double (scalar) - exact) <= tolerance);
                CHECK (std::abs (double (fast) - exact) <= tolerance);
                CHECK (std::abs (double (fast) - double (scalar)) <= 2.0 * tolerance);
            }
        }
    }
    // Identical vectors are exactly 0 apart, whatever the kernel.
    const size_t dims = Embedding::dimension();
    CHECK (fastestSquaredDistance().function (a + 1, a + 1, &dims) == 0.0f);
}

TEST_CASE ("ExactIndex finds the same nearest as a scalar brute force", "[recommend]")
{
    const auto dims = Embedding::dimension();
    constexpr size_t count = 5000, numQueries = 50, k = 10;
    const auto data = randomVectors (count, dims, 17);
    const auto queries = randomVectors (numQueries, dims, 18);
    ExactIndex index (dims);
    for (size_t i = 0; i < count; ++i)
        index.add (static_cast<int64_t> (i), data.data() + i * dims);

    for (size_t q = 0; q < numQueries; ++q)
    {
        const auto* query = queries.data() + q * dims;
        std::vector<float> distances (count);
        for (size_t i = 0; i < count; ++i)
            distances[i] = squaredDistanceScalar (query, data.data() + i * dims, &dims);
        std::vector<int64_t> order (count);
        std::iota (order.begin(), order.end(), int64_t { 0 });
        std::partial_sort (order.begin(), order.begin() + k, order.end(),
                           [&] (int64_t x, int64_t y) { return distances[size_t (x)] < distances[size_t (y)]; });
        order.resize (k);

        const auto found = index.search (query, k);
        CHECK (idsOf (found) == order);
        for (size_t i = 0; i < std::min (found.size(), k); ++i)
            CHECK (found[i].distanceSquared == Approx (distances[size_t (order[i])]).epsilon (1e-5));
    }
}

TEST_CASE ("ApproximateIndex built on 2 threads finds at least 95% of the exact 10 nearest on 20k random vectors",
           "[recommend]")
{
    const auto dims = Embedding::dimension();
    const auto count = scaled (20000);
    const auto data = randomVectors (count, dims, 11);
    const auto queries = randomVectors (200, dims, 12);

    ExactIndex exact (dims);
    ApproximateIndex approximate (dims);
    std::vector<int64_t> ids;
    for (size_t i = 0; i < count; ++i)
    {
        ids.push_back (static_cast<int64_t> (i) + 1);
        exact.add (ids.back(), data.data() + i * dims);
    }
    approximate.addBatch (ids, data.data(), 2);
    CHECK (approximate.size() == count);

    const auto recall = recallAt (10, approximate, exact, queries);
    CAPTURE (recall);
    CHECK (recall >= 0.95);
}

TEST_CASE ("ApproximateIndex finds every vector as its own nearest, built in a batch or one by one", "[recommend]")
{
    const auto dims = Embedding::dimension();
    const auto count = scaled (5000);
    const auto data = randomVectors (count, dims, 19);
    std::vector<int64_t> ids (count);
    for (size_t i = 0; i < count; ++i)
        ids[i] = 1000 + static_cast<int64_t> (i) * 3;

    ApproximateIndex batch (dims), serial (dims);
    batch.addBatch (ids, data.data(), 2);
    for (size_t i = 0; i < count; ++i)
        serial.add (ids[i], data.data() + i * dims);

    size_t batchSelf = 0, serialSelf = 0;
    for (size_t i = 0; i < count; ++i)
    {
        const auto a = batch.search (data.data() + i * dims, 1);
        const auto b = serial.search (data.data() + i * dims, 1);
        batchSelf += a.size() == 1 && a[0].id == ids[i] && a[0].distanceSquared == 0.0f;
        serialSelf += b.size() == 1 && b[0].id == ids[i] && b[0].distanceSquared == 0.0f;
    }
    CHECK (batchSelf == count);
    CHECK (serialSelf == count);
}

TEST_CASE ("ApproximateIndex built by addBatch on one thread is the graph the same add() calls build", "[recommend]")
{
    const auto dims = Embedding::dimension();
    const auto data = randomVectors (scaled (3000), dims, 20);
    const auto queries = randomVectors (50, dims, 21);
    std::vector<int64_t> ids (scaled (3000));
    std::iota (ids.begin(), ids.end(), int64_t { 0 });

    ApproximateIndex batch (dims), serial (dims);
    batch.addBatch (ids, data.data(), 1);
    for (size_t i = 0; i < ids.size(); ++i)
        serial.add (ids[i], data.data() + i * dims);
    batch.setEfSearch (16);
    serial.setEfSearch (16); // a small candidate list: differences in the graph would show
    for (size_t q = 0; q < 50; ++q)
    {
        const auto a = batch.search (queries.data() + q * dims, 10);
        const auto b = serial.search (queries.data() + q * dims, 10);
        CHECK (idsOf (a) == idsOf (b));
    }
}

TEST_CASE ("ApproximateIndex::addBatch updates ids it already has or repeats, the last vector winning", "[recommend]")
{
    const auto dims = Embedding::dimension();
    // At least 10 updated ids, so that id 7 (removed below) is among them however the test is scaled.
    const size_t initial = scaled (2000), updated = std::max<size_t> (scaled (200), 10), added = scaled (1000);
    const auto data = randomVectors (initial + updated + added, dims, 22);
    ApproximateIndex index (dims);
    std::vector<int64_t> first (initial);
    std::iota (first.begin(), first.end(), int64_t { 0 });
    index.addBatch (first, data.data(), 2);
    CHECK (index.remove (7));

    // Ids 0.. again (7 revived), new ids from 5000, and 5000 once more at the end.
    std::vector<int64_t> second;
    for (size_t i = 0; i < updated; ++i)
        second.push_back (static_cast<int64_t> (i));
    for (size_t i = 0; i + 1 < added; ++i)
        second.push_back (5000 + static_cast<int64_t> (i));
    second.push_back (5000);
    const auto* vectors = data.data() + initial * dims;
    index.addBatch (second, vectors, 2);

    CHECK (index.size() == initial + added - 1);
    CHECK (index.contains (7));
    for (size_t i = 0; i + 1 < second.size(); i += 7)
    {
        if (i == updated)
            continue; // 5000's first vector, replaced by its last
        const auto found = index.search (vectors + i * dims, 1);
        CHECK (found[0].id == second[i]);
        CHECK (found[0].distanceSquared == 0.0f);
    }
    CHECK (index.search (vectors + (second.size() - 1) * dims, 1)[0].id == 5000);
    CHECK (index.search (vectors + updated * dims, 1)[0].distanceSquared > 0.0f);
}

TEST_CASE ("ApproximateIndex marks removals deleted and revives an id added again", "[recommend]")
{
    const auto dims = Embedding::dimension();
    const auto count = std::max (scaled (3000), size_t { 1100 }); // grows past the initial 1024
    const auto data = randomVectors (count, dims, 13);
    ApproximateIndex index (dims);
    for (size_t i = 0; i < count; ++i)
        index.add (static_cast<int64_t> (i), data.data() + i * dims);

    // Each point is its own nearest neighbour, at distance 0.
    const auto* point = data.data() + 1034 * dims;
    CHECK (index.search (point, 1)[0].id == 1034);
    CHECK (index.remove (1034));
    CHECK_FALSE (index.remove (1034));
    CHECK (index.size() == count - 1);
    CHECK_FALSE (index.contains (1034));
    const auto without = idsOf (index.search (point, 20));
    CHECK (std::find (without.begin(), without.end(), 1034) == without.end());

    index.add (1034, point);
    CHECK (index.size() == count);
    CHECK (index.search (point, 1)[0].id == 1034);
    CHECK (index.search (point, 1)[0].distanceSquared == 0.0f);
}

TEST_CASE ("Both indexes give identical results after a save and load", "[recommend]")
{
    const auto dims = Embedding::dimension();
    const auto count = scaled (2000);
    const auto data = randomVectors (count, dims, 14);
    const auto queries = randomVectors (20, dims, 15);
    const bool useApproximate = GENERATE (false, true);
    CAPTURE (useApproximate);

    auto make = [&]() -> std::unique_ptr<Index>
    {
        if (useApproximate)
            return std::make_unique<ApproximateIndex> (dims);
        return std::make_unique<ExactIndex> (dims);
    };
    auto original = make();
    for (size_t i = 0; i < count; ++i)
        original->add (static_cast<int64_t> (i) * 7, data.data() + i * dims);
    original->remove (70);

    TempFile file;
    std::string error;
    REQUIRE (original->save (file.path(), error));
    auto loaded = make();
    REQUIRE (loaded->load (file.path(), error));
    CHECK (loaded->size() == count - 1);
    CHECK_FALSE (loaded->contains (70));
    for (size_t q = 0; q < 20; ++q)
    {
        const auto a = original->search (queries.data() + q * dims, 10);
        const auto b = loaded->search (queries.data() + q * dims, 10);
        CHECK (idsOf (a) == idsOf (b));
        for (size_t i = 0; i < std::min (a.size(), b.size()); ++i)
            CHECK (a[i].distanceSquared == b[i].distanceSquared);
    }
}

TEST_CASE ("Loading a damaged or foreign index file fails and leaves the index as it was", "[recommend]")
{
    const auto dims = Embedding::dimension();
    const bool useApproximate = GENERATE (false, true);
    CAPTURE (useApproximate);
    auto make = [&] (size_t d) -> std::unique_ptr<Index>
    {
        if (useApproximate)
            return std::make_unique<ApproximateIndex> (d);
        return std::make_unique<ExactIndex> (d);
    };

    const auto data = randomVectors (10, dims, 16);
    auto index = make (dims);
    for (size_t i = 0; i < 10; ++i)
        index->add (static_cast<int64_t> (i), data.data() + i * dims);

    TempFile file;
    std::string error;
    REQUIRE (index->save (file.path(), error));
    CHECK_FALSE (make (dims + 4)->load (file.path(), error)); // another dimension
    CHECK (error.find ("dimension " + std::to_string (dims + 4)) != std::string::npos);

    juce::MemoryBlock saved;
    REQUIRE (file.file.loadFileAsData (saved));
    file.file.replaceWithData (saved.getData(), saved.getSize() - 9); // truncated
    CHECK_FALSE (index->load (file.path(), error));
    file.file.replaceWithText ("not an index at all");
    CHECK_FALSE (index->load (file.path(), error));
    CHECK_FALSE (index->load (file.path() + ".missing", error));
    CHECK (index->size() == 10);
    CHECK (index->search (data.data() + 3 * dims, 1)[0].id == 3);
}
