using System.Reflection;
using System.Reflection.Emit;
using Distrid.Api;

namespace Distrid.Tests.Architecture;

/// <summary>
/// The dependency rules of docs/ARCHITECTURE.md, checked on the daemon assembly: every type's signatures and the
/// types and members its IL touches (compiler-generated closures and state machines count for their namespace).
/// </summary>
public sealed class LayeringTests
{
    private static readonly string[] BelowApi = ["Distrid.Store", "Distrid.FileSystem", "Distrid.Generations", "Distrid.Transactions", "Distrid.Repository", "Distrid.AppStream"];

    /// <summary>Namespace (and its children) → namespaces (and their children) it must not use, with the rule.</summary>
    private static readonly (string Namespace, string[] Forbidden, string Rule)[] Rules =
    [
        .. BelowApi.Select(n => (n, new[] { "Distrid.Api", "Distrid.Hosting", "StreamJsonRpc", "Tmds.DBus" },
            "nothing below Api/ knows the API, D-Bus, StreamJsonRpc, polkit or the composition root")),
        ("Distrid.FileSystem", ["Distrid.Transactions"], "the /ro tree knows no transactions"),
        ("Distrid.Api.Authorization", ["Distrid.Hosting", "Distrid.Api.DBus", "Distrid.Api.JsonRpc", "StreamJsonRpc"],
            "the one authorizer serves both front ends and knows neither"),
    ];

    /// <summary>The shared layer: the types of namespace Distrid.Api itself (not its front-end children).</summary>
    private static readonly string[] SharedLayerForbidden = ["Distrid.Hosting", "Distrid.Api.DBus", "Distrid.Api.JsonRpc", "StreamJsonRpc", "Tmds.DBus"];

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    [Fact]
    public void The_daemon_keeps_the_dependency_rules_of_ARCHITECTURE_md()
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Type type in typeof(DistridQueries).Assembly.GetTypes())
        {
            string ns = NamespaceOf(type);
            var forbidden = Rules.Where(r => Within(ns, r.Namespace)).SelectMany(r => r.Forbidden.Select(f => (f, r.Rule))).ToList();
            if (ns == "Distrid.Api")
            {
                forbidden.AddRange(SharedLayerForbidden.Select(f => (f, "the shared API layer knows no front end and no composition root")));
            }

            if (forbidden.Count == 0)
            {
                continue;
            }

            foreach (Type used in ReferencedTypes(type))
            {
                string usedNamespace = NamespaceOf(used);
                foreach (var (f, rule) in forbidden.Where(f => Within(usedNamespace, f.f)))
                {
                    violations.Add($"{type.FullName} uses {used.FullName}: {rule}");
                }
            }
        }

        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void The_checker_sees_a_dependency_through_a_constructor_and_through_IL()
    {
        // Guards the test above: the Hosting composition root visibly uses the store and the API.
        var used = ReferencedTypes(typeof(Distrid.Hosting.MountService)).Select(t => t.FullName).ToHashSet();
        Assert.Contains("Distrid.FileSystem.RoFileSystem", used); // a constructor parameter
        Assert.Contains(ReferencedTypes(typeof(Distrid.Hosting.DaemonHost)), t => t.FullName == "Distrid.Api.DistridQueries"); // IL only
    }

    [Fact]
    public void Districtl_never_references_the_daemon()
    {
        var references = typeof(Distrid.Protocol.MethodNames).Assembly.GetReferencedAssemblies().Select(a => a.Name);
        Assert.DoesNotContain("distrid", references);
        string districtl = Path.Combine(AppContext.BaseDirectory, "districtl.dll");
        Assert.DoesNotContain("distrid", Assembly.LoadFrom(districtl).GetReferencedAssemblies().Select(a => a.Name));
    }

    private static string NamespaceOf(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type.Namespace ?? "";
    }

    private static bool Within(string ns, string prefix) => ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal);

    private static IEnumerable<Type> ReferencedTypes(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null)
            {
                return;
            }

            t = t.HasElementType ? t.GetElementType()! : t;
            if (!found.Add(t))
            {
                return;
            }

            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                foreach (Type argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }

        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        Add(type.BaseType);
        foreach (Type i in type.GetInterfaces())
        {
            Add(i);
        }

        foreach (FieldInfo field in type.GetFields(all))
        {
            Add(field.FieldType);
        }

        foreach (PropertyInfo property in type.GetProperties(all))
        {
            Add(property.PropertyType);
        }

        foreach (MethodBase method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo m)
            {
                Add(m.ReturnType);
            }

            foreach (ParameterInfo parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }

            foreach (Type t in IlReferences(method))
            {
                Add(t);
            }
        }

        return found;
    }

    /// <summary>The declaring and value types of every member and type token in <paramref name="method"/>'s IL.</summary>
    private static IEnumerable<Type> IlReferences(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int position = 0;
        while (position < il.Length)
        {
            short value = il[position] == 0xFE ? (short)(0xFE00 | il[position + 1]) : il[position];
            position += il[position] == 0xFE ? 2 : 1;
            if (!OpCodesByValue.TryGetValue(value, out OpCode opCode))
            {
                yield break; // not an opcode we know: stop rather than misread the rest
            }

            switch (opCode.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    int token = BitConverter.ToInt32(il, position);
                    position += 4;
                    MemberInfo? member = null;
                    try
                    {
                        member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                    }

                    switch (member)
                    {
                        case Type t:
                            yield return t;
                            break;
                        case FieldInfo f:
                            yield return f.DeclaringType!;
                            yield return f.FieldType;
                            break;
                        case MethodBase m:
                            yield return m.DeclaringType!;
                            if (m is MethodInfo { IsGenericMethod: true } generic)
                            {
                                foreach (Type argument in generic.GetGenericArguments())
                                {
                                    yield return argument;
                                }
                            }

                            break;
                    }

                    break;
                case OperandType.InlineSwitch:
                    position += 4 + (4 * BitConverter.ToInt32(il, position));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    position += 1;
                    break;
                case OperandType.InlineVar:
                    position += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    position += 8;
                    break;
                default:
                    position += 4;
                    break;
            }
        }
    }
}
