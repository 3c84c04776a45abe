// Media types the image builders emit: OCI and Docker schema 2 variants side by side.

/** OCI image manifest (what buildx pushes by default with oci-mediatypes). */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
/** OCI image index: registry:2 only serves it when Accept lists it. */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** OCI image config blob. */
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
/** OCI gzipped layer. */
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
/** Docker schema 2 manifest (classic `docker push`). */
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
/** Docker manifest list (multi-arch in Docker format). */
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
/** Docker image config blob. */
export const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
/** Docker gzipped layer. */
export const DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/** In-toto attestation layer, as buildx writes provenance/SBOM. */
export const IN_TOTO = "application/vnd.in-toto+json";
/** Accept header listing every manifest kind the builders push (OCI index must be listed explicitly). */
export const ACCEPT_ALL_MANIFESTS = [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST].join(", ");
