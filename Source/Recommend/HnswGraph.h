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

#if defined(__linux__)
    #include <sys/mman.h>
#endif

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

/** hnswlib 0.6.2's graph, with what Earshot needs of it that hnswlib gets wrong or
    leaves out:

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
    - linkUnreachable() and insertAlone() keep every element reachable by a search.
    - useHugePages() puts the bottom layer on 2 MiB pages.

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

    /** Adds `label`, which must not be in the graph yet, at `level` (>= 0). Call
        linkUnreachable() when the last insert is done.
        Thread: several at once (the capacity reserved first, no search running). */
    void insert (const void* data, hnswlib::labeltype label, int level) { insertAt (data, label, level, nullptr); }

    /** insert(), then the part of linkUnreachable() this insert calls for: it notes
        which bottom-layer lists the insert pruned and links whatever they no longer
        reach, in O(M * efConstruction) rather than a pass over the graph (which it
        makes first if the counts it keeps are not current: after a load, a batch or
        an update). Thread: the writer, alone (capacity reserved, no search running). */
    void insertAlone (const void* data, hnswlib::labeltype label, int level)
    {
        if (inbound.size() != cur_element_count)
            linkUnreachable();
        const auto previousEntry = enterpoint_node_;
        std::vector<std::pair<hnswlib::tableint, std::vector<hnswlib::tableint>>> fullLists;
        const auto id = insertAt (data, label, level, &fullLists);

        // Count the links the insert made and unmade; whoever lost its last one is linked again.
        inbound.resize (cur_element_count);
        std::vector<hnswlib::tableint> atRisk { id };
        if (enterpoint_node_ != previousEntry && cur_element_count > 1)
            atRisk.push_back (previousEntry); // no longer reached without a link
        for (auto neighbour : linksOf (id))
        {
            ++inbound[neighbour];
            const auto before = std::find_if (fullLists.begin(), fullLists.end(),
                                              [neighbour] (const auto& list) { return list.first == neighbour; });
            const auto after = linksOf (neighbour);
            if (before == fullLists.end())
            {
                inbound[id] += contains (after, id) ? 1u : 0u; // appended to a list with room
                continue;
            }
            for (auto link : before->second)
            {
                if (! contains (after, link))
                {
                    --inbound[link];
                    atRisk.push_back (link);
                }
            }
            for (auto link : after)
                if (! contains (before->second, link))
                    ++inbound[link];
        }
        for (auto element : atRisk)
            if (inbound[element] == 0 && element != enterpoint_node_)
                linkOrphan (element);
    }

    /** Links each element that no other element links to on the bottom layer, which
        a search therefore never returns (only the entry point is reached without a
        link). hnswlib leaves such elements behind: when a neighbour list is full it
        prunes it with its heuristic, which may drop an element from every list that
        held it (about 1 element in 1200 of 1M standard-normal vectors at M 24).
        Each is appended to the list of its nearest neighbour with room, or else takes
        the place, in its nearest neighbour's list, of the element that the most other
        lists link to (which so stays reachable). A pass over the whole graph: about
        20 ms at 100k elements, 0.2 s at 1M. @returns how many were linked.
        Thread: the writer, with no search or insert running. */
    size_t linkUnreachable()
    {
        const auto count = static_cast<hnswlib::tableint> (cur_element_count);
        inbound.assign (count, 0);
        for (hnswlib::tableint i = 0; i < count; ++i)
        {
            auto* list = get_linklist0 (i);
            for (auto *link = firstLink (list), *end = link + getListCount (list); link != end; ++link)
                ++inbound[*link];
        }
        size_t linked = 0;
        for (hnswlib::tableint element = 0; element < count; ++element)
            if (inbound[element] == 0 && element != enterpoint_node_)
                linked += linkOrphan (element) ? 1u : 0u;
        return linked;
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

    /** Moves the bottom layer (each element's links, vector and label: 444 bytes at M 32
        and 44 dimensions, 444 MB for 1M) into memory the kernel may back with 2 MiB
        pages (transparent huge pages, which Debian enables on request). A search reads
        a few thousand elements at random, and with 4 KiB pages nearly each read also
        misses the TLB: 2 MiB pages took 7-12 % off the query time at 1M (BENCHMARKS.md).
        Call after each allocation of the layer (resizeIndex, loadIndex).
        Thread: the writer, with no search or insert running. */
    void useHugePages()
    {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        constexpr size_t hugePage = size_t { 2 } << 20;
        const auto bytes = max_elements_ * size_data_per_element_;
        if (bytes < 8 * hugePage)
            return; // not worth the rounding up
        const auto rounded = (bytes + hugePage - 1) / hugePage * hugePage;
        auto* layer = static_cast<char*> (std::aligned_alloc (hugePage, rounded));
        if (layer == nullptr)
            return; // the old layer stays, on small pages
        madvise (layer, rounded, MADV_HUGEPAGE);
        std::memcpy (layer, data_level0_memory_, cur_element_count * size_data_per_element_);
        // hnswlib frees and reallocs the layer with free and realloc, which take
        // aligned_alloc's memory too.
        std::free (data_level0_memory_);
        data_level0_memory_ = layer;
#endif
    }

    /** An element's upper-layer lists and the spare link after them. */
    size_t upperLayerBytes (int level) const
    {
        return size_links_per_element_ * static_cast<size_t> (level) + sizeof (hnswlib::tableint);
    }

private:
    /** Bottom-layer links to each element, current when it has an entry per element. */
    std::vector<uint32_t> inbound;

    /** insert(); with `fullLists`, also notes the bottom-layer lists of the candidates
        that were full before linking (the ones linking may prune). @returns the element's id. */
    hnswlib::tableint insertAt (const void* data, hnswlib::labeltype label, int level,
                                std::vector<std::pair<hnswlib::tableint, std::vector<hnswlib::tableint>>>* fullLists)
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
            return id;
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
            if (layer == 0 && fullLists != nullptr)
                for (auto queue = candidates; ! queue.empty(); queue.pop())
                    if (getListCount (get_linklist0 (queue.top().second)) == maxM0_)
                        fullLists->emplace_back (queue.top().second, linksOf (queue.top().second));
            nearest = mutuallyConnectNewElement (data, id, candidates, layer, false);
        }

        if (level > top)
        {
            enterpoint_node_ = id;
            maxlevel_ = level;
        }
        return id;
    }

    /** Links `orphan` from a neighbour (see linkUnreachable()), keeping `inbound`.
        @returns false if every neighbour's list is full of elements linked nowhere else. */
    bool linkOrphan (hnswlib::tableint orphan)
    {
        std::vector<std::pair<float, hnswlib::tableint>> neighbours;
        for (auto link : linksOf (orphan))
            neighbours.emplace_back (distanceBetween (orphan, link), link);
        std::sort (neighbours.begin(), neighbours.end());

        auto linkFrom = [this, orphan] (hnswlib::tableint neighbour, size_t slot)
        {
            auto* list = get_linklist0 (neighbour);
            firstLink (list)[slot] = orphan;
            setListCount (list, static_cast<unsigned short> (std::max<size_t> (slot + 1, getListCount (list))));
            ++inbound[orphan];
            return true;
        };
        for (const auto& n : neighbours)
            if (getListCount (get_linklist0 (n.second)) < maxM0_)
                return linkFrom (n.second, getListCount (get_linklist0 (n.second)));
        for (const auto& n : neighbours)
        {
            auto* list = get_linklist0 (n.second);
            auto* links = firstLink (list);
            const auto mostLinked = std::max_element (links, links + getListCount (list),
                                                      [this] (auto a, auto b) { return inbound[a] < inbound[b]; });
            if (inbound[*mostLinked] >= 2)
            {
                --inbound[*mostLinked];
                return linkFrom (n.second, static_cast<size_t> (mostLinked - links));
            }
        }
        return false;
    }

    /** A copy of an element's bottom-layer links. */
    std::vector<hnswlib::tableint> linksOf (hnswlib::tableint element) const
    {
        auto* list = get_linklist0 (element);
        const auto* first = firstLink (list);
        return std::vector<hnswlib::tableint> (first, first + getListCount (list));
    }

    static bool contains (const std::vector<hnswlib::tableint>& links, hnswlib::tableint element)
    {
        return std::find (links.begin(), links.end(), element) != links.end();
    }

    static hnswlib::tableint* firstLink (hnswlib::linklistsizeint* list)
    {
        return reinterpret_cast<hnswlib::tableint*> (list + 1);
    }

    float distanceBetween (hnswlib::tableint a, hnswlib::tableint b) const
    {
        return fstdistfunc_ (getDataByInternalId (a), getDataByInternalId (b), dist_func_param_);
    }
};

} // namespace earshot
