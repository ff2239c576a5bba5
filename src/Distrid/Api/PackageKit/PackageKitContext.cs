using Distrid.Api.Authorization;
using Distrid.Api.DBus;
using Distrid.Api.Repositories;
using Distrid.FileSystem.Manifests;
using Distrid.Hosting;
using Distrid.Store;
using Distrid.Transactions;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Distrid.Api.PackageKit;

/// <summary>What the daemon object and its transactions share.</summary>
internal sealed record PackageKitContext(
    DBusConnection Connection, BusCallers Callers, DistridQueries Queries, MutationRunner Runner, TransactionService Transactions, RepositoryAdmin Repositories,
    IAuthorizer Authorizer, DaemonOptions Options, PackageStore Store, ManifestCache Manifests, ILogger Logger);
