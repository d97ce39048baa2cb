// PLACEHOLDER: written by the owner.
