#pragma once
// PLACEHOLDER: replaced by the owner of Recommend/Embedding.
