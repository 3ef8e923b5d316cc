-- AlterTable
ALTER TABLE "User" ADD COLUMN     "lastSignInAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "AuthorizedAppGrant" ADD COLUMN     "approvedById" TEXT;

-- AlterTable
ALTER TABLE "WebSession" ADD COLUMN     "userAgent" TEXT;
