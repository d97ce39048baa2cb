#pragma once
// PLACEHOLDER: replaced by the owner of Recommend/Index.
