/**
 * Images: a content-addressed store (blobs, unpacked layers, an index of names), import of
 * OCI layouts and `docker save` tarballs, pull from and push to distribution v2 registries,
 * image building from directories, and overlayfs roots for containers.
 *
 * The daemon opens one `ImageStore` at `<state-dir>/images` and wraps it in `LocalImages`,
 * which has the shapes the API (`ImageService`) and the container manager
 * (`ImageProvider`) expect.
 */
export { ImageStore, layerUnpacksMax, type ImageInUse, type PreparedRootfs, type RegisterImage, type RemoveResult } from './image-store.js';
export type { ImageRecord, LayerRecord } from './image-index.js';
export type { ImageConfig, ImageHealthcheck } from './image-config.js';
export { LocalImages, progressStepBytes, type ImageSummary, type LocalImagesComponents, type PullEvent } from './local-images.js';
export { pullImage, type LayerProgress, type PullOptions } from './pull.js';
export { pushLayout, type PushOptions, type PushResult } from './push.js';
export { importArchive, importPath, type ImportOptions } from './import-archive.js';
export { buildImageLayout, type BuildImageOptions, type BuiltImage, type ContainerDefaults, type LayerSource } from './build-layout.js';
export { buildBusyboxImage, busyboxApplets } from './busybox-image.js';
export { defaultRegistryConfig, validateRegistryConfig, type RegistryConfig } from './registry-config.js';
export type { RegistryCredentials } from './registry-auth.js';
export { parseReference, normalizeReference, formatReference, familiarReference, type ImageReference } from './reference.js';
export { RootfsManager, mountOptionBytesMax } from './rootfs.js';
export { hostPlatform } from './platform.js';
