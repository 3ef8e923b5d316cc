-- Key controls: per-key scopes, IP allowlist, rotation with overlap, last-used details, expiring-soon notice.
-- Columns are added in place (no table rebuild): every new one is nullable or has a default.

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "scopes" TEXT NOT NULL DEFAULT '';
ALTER TABLE "ApiKey" ADD COLUMN "ipAllowlist" TEXT NOT NULL DEFAULT '';
ALTER TABLE "ApiKey" ADD COLUMN "previousDigest" TEXT;
ALTER TABLE "ApiKey" ADD COLUMN "previousExpiresAt" DATETIME;
ALTER TABLE "ApiKey" ADD COLUMN "lastUsedIp" TEXT;
ALTER TABLE "ApiKey" ADD COLUMN "lastUsedUserAgent" TEXT;
ALTER TABLE "ApiKey" ADD COLUMN "expiringNoticeAt" DATETIME;

-- AlterTable
ALTER TABLE "AuthorizedApp" ADD COLUMN "lastUsedIp" TEXT;
ALTER TABLE "AuthorizedApp" ADD COLUMN "lastUsedUserAgent" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_previousDigest_key" ON "ApiKey"("previousDigest");

-- Existing keys keep their behaviour: each gets the scopes its access level always meant.
UPDATE "ApiKey" SET "scopes" = CASE "access"
  WHEN 'read_write' THEN 'subscribers:read subscribers:write tags:read tags:write'
  ELSE 'subscribers:read tags:read'
END;
