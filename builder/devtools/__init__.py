"""What never ships: the demo's servers, benches, screenshots, the host check and the examples."""
