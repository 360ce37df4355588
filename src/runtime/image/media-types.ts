/** The media types of OCI and Docker image manifests, indexes, configs and layers. */

export const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
export const ociIndex = 'application/vnd.oci.image.index.v1+json';
export const ociConfig = 'application/vnd.oci.image.config.v1+json';
export const ociLayerTar = 'application/vnd.oci.image.layer.v1.tar';
export const ociLayerGzip = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const ociLayerZstd = 'application/vnd.oci.image.layer.v1.tar+zstd';

export const dockerManifest = 'application/vnd.docker.distribution.manifest.v2+json';
export const dockerManifestList = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const dockerConfig = 'application/vnd.docker.container.image.v1+json';
export const dockerLayerGzip = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const dockerForeignLayerGzip = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

/** Manifest types that describe one image. */
export const imageManifestTypes: readonly string[] = [ociManifest, dockerManifest];

/** Manifest types that list images per platform. */
export const indexTypes: readonly string[] = [ociIndex, dockerManifestList];

/** Layer types we can unpack: the compression is sniffed from the bytes, so this is a safety list. */
export const layerTypes: readonly string[] = [ociLayerTar, ociLayerGzip, ociLayerZstd, dockerLayerGzip, dockerForeignLayerGzip];

/** The Accept header of a manifest request: every type we understand, images and lists alike. */
export const manifestAccept = [ociIndex, ociManifest, dockerManifestList, dockerManifest].join(', ');
