#pragma once

// hnswlib is header-only and defines non-inline functions in its headers: it, and so
// this file, may be included from one translation unit only (Index.cpp).
#include <hnswlib/hnswlib.h>

#include "Recommend/Distance.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

namespace earshot
{

/** hnswlib's L2 space with our kernel: hnswlib's own L2Space picks its SIMD at compile
    time, and without -mavx (the shipped binary runs on any x86-64) that is SSE. */
class SquaredL2Space final : public hnswlib::SpaceInterface<float>
{
public:
    explicit SquaredL2Space (size_t dimension)
        : dims (dimension)
    {
    }

    size_t get_data_size() override { return dims * sizeof (float); }
    hnswlib::DISTFUNC<float> get_dist_func() override { return fastestSquaredDistance().function; }
    void* get_dist_func_param() override { return &dims; }

private:
    size_t dims;
};

/** hnswlib 0.6.2's graph, with what Earshot needs of it that hnswlib gets wrong:

    - `insert` redoes addPoint's insertion of a new label, for two faults. addPoint
      draws each element's level from the graph's one random generator without a
      lock: a data race when several threads add (ThreadSanitizer reports it); even
      addPoint (data, label, level) draws before it overrides, and cannot force level
      0. `insert` takes the level from the caller, who draws the levels of a batch in
      order on one thread. And searchBaseLayer (and repairConnectionsForUpdate) read
      the link after the last one, only to compute a prefetch address; when an
      upper-layer list is full that is past the end of its malloc'd block
      (nmslib/hnswlib #107, #578; AddressSanitizer reports it). Every upper-layer block
      here has one spare zeroed link after its lists (padUpperLayers() adds it to what
      loadIndex allocated), so the read stays inside, SIMD and prefetching stay on,
      and the saved format is unchanged.

    Locking: addPoint takes an element's link-list lock, then `global` (kept for the
    whole insert when the element raises the top level), and under `global` the locks
    of the nodes it visits: a lock-order inversion to ThreadSanitizer. It cannot
    deadlock (an element waiting for `global` is not linked yet, so nobody can want
    its lock), but `insert` takes `global` first anyway, so the order is the same
    everywhere and there is nothing to suppress.

    Otherwise `insert` is addPoint's new-label path statement for statement, on
    hnswlib's own search and linking. Updating an existing label stays hnswlib's
    addPoint (it draws from another shared generator), called by one thread only.
*/
class HnswGraph final : public hnswlib::HierarchicalNSW<float>
{
public:
    using HierarchicalNSW::HierarchicalNSW;

    /** Adds `label`, which must not be in the graph yet, at `level` (>= 0).
        Thread: several at once (the capacity reserved first, no search running). */
    void insert (const void* data, hnswlib::labeltype label, int level)
    {
        hnswlib::tableint id = 0;
        {
            std::lock_guard<std::mutex> counting (cur_element_count_guard_);
            if (cur_element_count >= max_elements_)
                throw std::runtime_error ("The number of elements exceeds the specified limit");
            id = static_cast<hnswlib::tableint> (cur_element_count++);
            label_lookup_[label] = id;
        }

        // Held to the end only by an insert that raises the top level: it changes
        // the entry point, which the others read here.
        std::unique_lock<std::mutex> raisingTop (global);
        const auto top = maxlevel_;
        const auto entry = enterpoint_node_;
        if (level <= top)
            raisingTop.unlock();
        std::lock_guard<std::mutex> updating (link_list_update_locks_[id & (max_update_element_locks - 1)]);
        std::lock_guard<std::mutex> linking (link_list_locks_[id]);

        element_levels_[id] = level;
        std::memset (data_level0_memory_ + id * size_data_per_element_ + offsetLevel0_, 0, size_data_per_element_);
        std::memcpy (getExternalLabeLp (id), &label, sizeof (label));
        std::memcpy (getDataByInternalId (id), data, data_size_);
        if (level > 0)
        {
            linkLists_[id] = static_cast<char*> (std::calloc (1, upperLayerBytes (level)));
            if (linkLists_[id] == nullptr)
                throw std::runtime_error ("Not enough memory: addPoint failed to allocate linklist");
        }

        if (top < 0)
        {
            enterpoint_node_ = id;
            maxlevel_ = level;
            return;
        }

        auto nearest = entry;
        if (level < top)
        {
            // Greedy descent through the layers above the element's own.
            auto nearestDistance = fstdistfunc_ (data, getDataByInternalId (nearest), dist_func_param_);
            for (auto layer = top; layer > level; --layer)
            {
                for (bool changed = true; changed;)
                {
                    changed = false;
                    std::lock_guard<std::mutex> reading (link_list_locks_[nearest]);
                    auto* list = get_linklist (nearest, layer);
                    const auto* links = reinterpret_cast<const hnswlib::tableint*> (list + 1);
                    for (size_t i = 0, count = getListCount (list); i < count; ++i)
                    {
                        const auto d = fstdistfunc_ (data, getDataByInternalId (links[i]), dist_func_param_);
                        if (d < nearestDistance)
                        {
                            nearestDistance = d;
                            nearest = links[i];
                            changed = true;
                        }
                    }
                }
            }
        }

        const auto entryDeleted = isMarkedDeleted (entry);
        for (auto layer = std::min (level, top); layer >= 0; --layer)
        {
            auto candidates = searchBaseLayer (nearest, data, layer);
            if (entryDeleted)
            {
                candidates.emplace (fstdistfunc_ (data, getDataByInternalId (entry), dist_func_param_), entry);
                if (candidates.size() > ef_construction_)
                    candidates.pop();
            }
            nearest = mutuallyConnectNewElement (data, id, candidates, layer, false);
        }

        if (level > top)
        {
            enterpoint_node_ = id;
            maxlevel_ = level;
        }
    }

    /** Gives the upper-layer blocks loadIndex allocated their spare link (see above).
        Thread: the writer, with no search running. */
    void padUpperLayers()
    {
        for (size_t i = 0; i < cur_element_count; ++i)
        {
            if (element_levels_[i] <= 0)
                continue;
            auto* padded = static_cast<char*> (std::realloc (linkLists_[i], upperLayerBytes (element_levels_[i])));
            if (padded == nullptr)
                throw std::runtime_error ("Not enough memory to load the index");
            std::memset (padded + size_links_per_element_ * static_cast<size_t> (element_levels_[i]), 0,
                         sizeof (hnswlib::tableint));
            linkLists_[i] = padded;
        }
    }

    /** An element's upper-layer lists and the spare link after them. */
    size_t upperLayerBytes (int level) const
    {
        return size_links_per_element_ * static_cast<size_t> (level) + sizeof (hnswlib::tableint);
    }
};

} // namespace earshot
