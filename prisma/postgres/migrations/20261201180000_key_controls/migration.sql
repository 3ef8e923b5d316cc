-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "expiringNoticeAt" TIMESTAMP(3),
ADD COLUMN     "ipAllowlist" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "lastUsedIp" TEXT,
ADD COLUMN     "lastUsedUserAgent" TEXT,
ADD COLUMN     "previousDigest" TEXT,
ADD COLUMN     "previousExpiresAt" TIMESTAMP(3),
ADD COLUMN     "scopes" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "AuthorizedApp" ADD COLUMN     "lastUsedIp" TEXT,
ADD COLUMN     "lastUsedUserAgent" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_previousDigest_key" ON "ApiKey"("previousDigest");

-- Existing keys keep their behaviour: each gets the scopes its access level always meant.
UPDATE "ApiKey" SET "scopes" = CASE "access"
  WHEN 'read_write' THEN 'subscribers:read subscribers:write tags:read tags:write'
  ELSE 'subscribers:read tags:read'
END;
