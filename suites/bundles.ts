// Bundles real tools make, with conform's busybox rootfs under them: an image unpacked by
// umoci, and config files as podman and containerd generate them. Each must be created,
// started and run the probe, whose facts must match the config.
import recorded from './bundles/recorded.js';
import umoci from './bundles/umoci.js';

export default [...umoci, ...recorded];
