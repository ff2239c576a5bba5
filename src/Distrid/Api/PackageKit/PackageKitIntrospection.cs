using System.Text;

namespace Distrid.Api.PackageKit;

/// <summary>The introspection XML of the PackageKit interfaces we serve (PackageKit 1.2's, less what we refuse).</summary>
internal static class PackageKitIntrospection
{
    public static readonly ReadOnlyMemory<byte> Daemon = Encoding.UTF8.GetBytes("""
          <interface name="org.freedesktop.PackageKit">
            <property name="VersionMajor" type="u" access="read"/>
            <property name="VersionMinor" type="u" access="read"/>
            <property name="VersionMicro" type="u" access="read"/>
            <property name="BackendName" type="s" access="read"/>
            <property name="BackendDescription" type="s" access="read"/>
            <property name="BackendAuthor" type="s" access="read"/>
            <property name="Roles" type="t" access="read"/>
            <property name="Groups" type="t" access="read"/>
            <property name="Filters" type="t" access="read"/>
            <property name="MimeTypes" type="as" access="read"/>
            <property name="Locked" type="b" access="read"/>
            <property name="NetworkState" type="u" access="read"/>
            <property name="DistroId" type="s" access="read"/>
            <method name="CanAuthorize"><arg name="action_id" type="s" direction="in"/><arg name="result" type="u" direction="out"/></method>
            <method name="CreateTransaction"><arg name="object_path" type="o" direction="out"/></method>
            <method name="GetTimeSinceAction"><arg name="role" type="u" direction="in"/><arg name="seconds" type="u" direction="out"/></method>
            <method name="GetTransactionList"><arg name="transactions" type="ao" direction="out"/></method>
            <method name="StateHasChanged"><arg name="reason" type="s" direction="in"/></method>
            <method name="SuggestDaemonQuit"/>
            <method name="GetPackageHistory"><arg name="names" type="as" direction="in"/><arg name="count" type="u" direction="in"/><arg name="history" type="a{saa{sv}}" direction="out"/></method>
            <method name="GetDaemonState"><arg name="state" type="s" direction="out"/></method>
            <method name="SetProxy"><arg name="proxy_http" type="s" direction="in"/><arg name="proxy_https" type="s" direction="in"/><arg name="proxy_ftp" type="s" direction="in"/><arg name="proxy_socks" type="s" direction="in"/><arg name="no_proxy" type="s" direction="in"/><arg name="pac" type="s" direction="in"/></method>
            <signal name="TransactionListChanged"><arg name="transactions" type="as"/></signal>
            <signal name="RestartSchedule"/>
            <signal name="RepoListChanged"/>
            <signal name="UpdatesChanged"/>
          </interface>

        """);

    public static readonly ReadOnlyMemory<byte> Offline = Encoding.UTF8.GetBytes("""
          <interface name="org.freedesktop.PackageKit.Offline">
            <property name="UpdatePrepared" type="b" access="read"/>
            <property name="UpdateTriggered" type="b" access="read"/>
            <property name="UpgradePrepared" type="b" access="read"/>
            <property name="UpgradeTriggered" type="b" access="read"/>
            <property name="PreparedUpgrade" type="a{sv}" access="read"/>
            <property name="TriggerAction" type="s" access="read"/>
            <method name="Trigger"><arg name="action" type="s" direction="in"/></method>
            <method name="TriggerUpgrade"><arg name="action" type="s" direction="in"/></method>
            <method name="Cancel"/>
            <method name="ClearResults"/>
            <method name="GetPrepared"><arg name="package_ids" type="as" direction="out"/></method>
          </interface>

        """);

    public static readonly ReadOnlyMemory<byte> Transaction = Encoding.UTF8.GetBytes("""
          <interface name="org.freedesktop.PackageKit.Transaction">
            <property name="Role" type="u" access="read"/>
            <property name="Status" type="u" access="read"/>
            <property name="LastPackage" type="s" access="read"/>
            <property name="Uid" type="u" access="read"/>
            <property name="Sender" type="s" access="read"/>
            <property name="Percentage" type="u" access="read"/>
            <property name="AllowCancel" type="b" access="read"/>
            <property name="CallerActive" type="b" access="read"/>
            <property name="ElapsedTime" type="u" access="read"/>
            <property name="RemainingTime" type="u" access="read"/>
            <property name="Speed" type="u" access="read"/>
            <property name="DownloadSizeRemaining" type="t" access="read"/>
            <property name="TransactionFlags" type="t" access="read"/>
            <method name="SetHints"><arg name="hints" type="as" direction="in"/></method>
            <method name="Cancel"/>
            <method name="DependsOn"><arg name="filter" type="t" direction="in"/><arg name="package_ids" type="as" direction="in"/><arg name="recursive" type="b" direction="in"/></method>
            <method name="DownloadPackages"><arg name="store_in_cache" type="b" direction="in"/><arg name="package_ids" type="as" direction="in"/></method>
            <method name="GetDetails"><arg name="package_ids" type="as" direction="in"/></method>
            <method name="GetFiles"><arg name="package_ids" type="as" direction="in"/></method>
            <method name="GetPackages"><arg name="filter" type="t" direction="in"/></method>
            <method name="GetRepoList"><arg name="filter" type="t" direction="in"/></method>
            <method name="GetUpdateDetail"><arg name="package_ids" type="as" direction="in"/></method>
            <method name="GetUpdates"><arg name="filter" type="t" direction="in"/></method>
            <method name="InstallPackages"><arg name="transaction_flags" type="t" direction="in"/><arg name="package_ids" type="as" direction="in"/></method>
            <method name="RepoEnable"><arg name="repo_id" type="s" direction="in"/><arg name="enabled" type="b" direction="in"/></method>
            <method name="RefreshCache"><arg name="force" type="b" direction="in"/></method>
            <method name="RemovePackages"><arg name="transaction_flags" type="t" direction="in"/><arg name="package_ids" type="as" direction="in"/><arg name="allow_deps" type="b" direction="in"/><arg name="autoremove" type="b" direction="in"/></method>
            <method name="RequiredBy"><arg name="filter" type="t" direction="in"/><arg name="package_ids" type="as" direction="in"/><arg name="recursive" type="b" direction="in"/></method>
            <method name="Resolve"><arg name="filter" type="t" direction="in"/><arg name="packages" type="as" direction="in"/></method>
            <method name="SearchDetails"><arg name="filter" type="t" direction="in"/><arg name="values" type="as" direction="in"/></method>
            <method name="SearchNames"><arg name="filter" type="t" direction="in"/><arg name="values" type="as" direction="in"/></method>
            <method name="WhatProvides"><arg name="filter" type="t" direction="in"/><arg name="values" type="as" direction="in"/></method>
            <method name="UpdatePackages"><arg name="transaction_flags" type="t" direction="in"/><arg name="package_ids" type="as" direction="in"/></method>
            <signal name="Details"><arg name="data" type="a{sv}"/></signal>
            <signal name="ErrorCode"><arg name="code" type="u"/><arg name="details" type="s"/></signal>
            <signal name="Files"><arg name="package_id" type="s"/><arg name="file_list" type="as"/></signal>
            <signal name="Finished"><arg name="exit" type="u"/><arg name="runtime" type="u"/></signal>
            <signal name="Package"><arg name="info" type="u"/><arg name="package_id" type="s"/><arg name="summary" type="s"/></signal>
            <signal name="RepoDetail"><arg name="repo_id" type="s"/><arg name="description" type="s"/><arg name="enabled" type="b"/></signal>
            <signal name="UpdateDetail"><arg name="package_id" type="s"/><arg name="updates" type="as"/><arg name="obsoletes" type="as"/><arg name="vendor_urls" type="as"/><arg name="bugzilla_urls" type="as"/><arg name="cve_urls" type="as"/><arg name="restart" type="u"/><arg name="update_text" type="s"/><arg name="changelog" type="s"/><arg name="state" type="u"/><arg name="issued" type="s"/><arg name="updated" type="s"/></signal>
            <signal name="Destroy"/>
          </interface>

        """);
}
