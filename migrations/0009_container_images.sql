-- Container images uploaded through PUT /api/v1/containers/{id}/image (issue 11). One per user and
-- image_name:image_tag: two users may both own hello_world:latest, and neither can run the other's. The archive
-- (docker-save / OCI tar) is kept here so any scheduler host can load it into its podman, lazily and once per
-- image_id; podman runs the image by image_id (the config digest, content-addressed), never by name, so a name
-- another user loaded on the same host cannot stand in for this one.
CREATE TABLE container_images (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    image_name text NOT NULL,
    image_tag  text NOT NULL,
    image_id   text NOT NULL CHECK (image_id ~ '^sha256:[0-9a-f]{64}$'),
    digest     text NOT NULL,
    size       bigint NOT NULL,
    archive    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, image_name, image_tag)
);
-- A tar of layers is mostly incompressible: keep it out of line without trying pglz on every upload.
ALTER TABLE container_images ALTER COLUMN archive SET STORAGE EXTERNAL;

SELECT sweep_protect_tenant_table('container_images');
