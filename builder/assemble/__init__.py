"""What assembles dist/: the runtime, the loader, the prerendered cards, the frames and kits publishers use."""
