/** The kinds of registry archpin knows the quirks of (see lookup/registry-profile.ts). */
export const REGISTRY_KINDS = ['dockerhub', 'ghcr', 'quay', 'ecr', 'gcr', 'acr', 'harbor', 'artifactory', 'gitlab', 'distribution'] as const;
export type RegistryKind = (typeof REGISTRY_KINDS)[number];
