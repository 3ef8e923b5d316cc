-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "idempotencyFingerprint" TEXT;

-- AlterTable
ALTER TABLE "AuthorizedApp" ADD COLUMN     "revokedByName" TEXT,
ADD COLUMN     "revokedReason" TEXT;

-- AlterTable
ALTER TABLE "AuthorizedAppGrant" ADD COLUMN     "scopes" TEXT NOT NULL DEFAULT '';

-- Grants approved before this migration get their record's scopes (the record held the latest approval's).
UPDATE "AuthorizedAppGrant" SET "scopes" = (SELECT "scopes" FROM "AuthorizedApp" WHERE "AuthorizedApp"."id" = "AuthorizedAppGrant"."authorizedAppId");
